package dev.meshctl.crds;

import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.NetworkingSpec;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.WorkloadEntry;
import java.util.List;

/** The {@code networking.istio.io} kinds we read, with their names and spec record. Immutable. */
public enum IstioKind {
  VIRTUAL_SERVICE("VirtualService", "virtualservices", List.of("vs"), VirtualService.class),
  DESTINATION_RULE("DestinationRule", "destinationrules", List.of("dr"), DestinationRule.class),
  GATEWAY("Gateway", "gateways", List.of("gw"), Gateway.class),
  SERVICE_ENTRY("ServiceEntry", "serviceentries", List.of("se"), ServiceEntry.class),
  SIDECAR("Sidecar", "sidecars", List.of(), Sidecar.class),
  WORKLOAD_ENTRY("WorkloadEntry", "workloadentries", List.of("we"), WorkloadEntry.class);

  private final String kind;
  private final String plural;
  private final List<String> shortNames;
  private final Class<? extends NetworkingSpec> specType;

  IstioKind(
      String kind,
      String plural,
      List<String> shortNames,
      Class<? extends NetworkingSpec> specType) {
    this.kind = kind;
    this.plural = plural;
    this.shortNames = shortNames;
    this.specType = specType;
  }

  /** The Kubernetes kind, e.g. {@code VirtualService}. */
  public String kind() {
    return kind;
  }

  /** The resource plural, e.g. {@code virtualservices}. */
  public String plural() {
    return plural;
  }

  /** The lower-case singular, e.g. {@code virtualservice}. */
  public String singular() {
    return kind.toLowerCase(java.util.Locale.ROOT);
  }

  /** kubectl short names, e.g. {@code vs}; may be empty. */
  public List<String> shortNames() {
    return shortNames;
  }

  /** The API group, {@code networking.istio.io}. */
  public String group() {
    return IstioKinds.NETWORKING_GROUP;
  }

  /** The record class of this kind's spec. */
  public Class<? extends NetworkingSpec> specType() {
    return specType;
  }
}
