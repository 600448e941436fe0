package dev.meshctl.xds.model;

import java.util.Objects;

/**
 * Region, zone and subzone of an endpoint or a proxy; empty strings where unknown. Immutable.
 *
 * <p>Istio writes a locality as {@code region/zone/subzone}; a locality rule in a DestinationRule's
 * {@code localityLbSetting} has the same form, where a part may be {@code *} and trailing parts may
 * be left out ({@link #matches}).
 */
public record Locality(String region, String zone, String subZone) {
  public static final Locality UNKNOWN = new Locality("", "", "");

  /** The pod label that overrides a pod's locality, {@code region.zone.subzone} (dots). */
  public static final String POD_LABEL = "istio-locality";

  public Locality {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(subZone, "subZone");
  }

  public boolean isUnknown() {
    return region.isEmpty() && zone.isEmpty() && subZone.isEmpty();
  }

  /** Parses {@code region/zone/subzone}; missing parts are empty; {@code ""} is unknown. */
  public static Locality parse(String s) {
    if (s == null || s.isEmpty()) {
      return UNKNOWN;
    }
    String[] parts = s.split("/", 3);
    return new Locality(
        parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
  }

  /**
   * Parses the {@value #POD_LABEL} label value, where dots separate the parts (label values may not
   * hold slashes).
   */
  public static Locality fromLabel(String value) {
    return value == null ? UNKNOWN : parse(value.replace('.', '/'));
  }

  /**
   * Whether this locality matches a rule {@code region[/zone[/subzone]]}: each part equal or {@code
   * *}; a zone or subzone left out matches anything (Istio's {@code LocalityMatch}).
   */
  public boolean matches(String rule) {
    Locality r = parse(rule);
    boolean regionOk = "*".equals(r.region) || region.equals(r.region);
    boolean zoneOk = r.zone.isEmpty() || "*".equals(r.zone) || zone.equals(r.zone);
    boolean subZoneOk = r.subZone.isEmpty() || "*".equals(r.subZone) || subZone.equals(r.subZone);
    return regionOk && zoneOk && subZoneOk;
  }

  /**
   * How close {@code other} is to this locality: 0 when region, zone and subzone are equal, 1 when
   * region and zone are, 2 when only the region is, 3 otherwise (Istio's failover priorities).
   */
  public int distanceTo(Locality other) {
    if (!region.equals(other.region)) {
      return 3;
    }
    if (!zone.equals(other.zone)) {
      return 2;
    }
    return subZone.equals(other.subZone) ? 0 : 1;
  }

  /** Istio's textual form {@code region/zone/subzone}. */
  @Override
  public String toString() {
    return region + "/" + zone + "/" + subZone;
  }
}
