package dev.meshctl.xds.model;

import java.util.Objects;

/** Region, zone and subzone of an endpoint; empty strings where unknown. Immutable. */
public record Locality(String region, String zone, String subZone) {
  public static final Locality UNKNOWN = new Locality("", "", "");

  public Locality {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(subZone, "subZone");
  }

  public boolean isUnknown() {
    return region.isEmpty() && zone.isEmpty() && subZone.isEmpty();
  }

  /** Istio's textual form {@code region/zone/subzone}. */
  @Override
  public String toString() {
    return region + "/" + zone + "/" + subZone;
  }
}
