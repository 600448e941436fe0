package dev.meshctl.crds;

import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.WorkloadEntry;
import dev.meshctl.crds.networking.WorkloadGroup;
import dev.meshctl.crds.security.AuthorizationPolicy;
import dev.meshctl.crds.security.PeerAuthentication;
import dev.meshctl.crds.security.RequestAuthentication;
import java.util.List;

/**
 * The Istio kinds we read ({@code networking.istio.io} and {@code security.istio.io}), with their
 * API group, served versions, names and spec record. {@link #values()} is the one list every
 * consumer (decoder, CRD generator, informers, RBAC) iterates. Immutable.
 */
public enum IstioKind {
  VIRTUAL_SERVICE("VirtualService", "virtualservices", List.of("vs"), VirtualService.class),
  DESTINATION_RULE("DestinationRule", "destinationrules", List.of("dr"), DestinationRule.class),
  GATEWAY("Gateway", "gateways", List.of("gw"), Gateway.class),
  SERVICE_ENTRY("ServiceEntry", "serviceentries", List.of("se"), ServiceEntry.class),
  SIDECAR("Sidecar", "sidecars", List.of(), Sidecar.class),
  WORKLOAD_ENTRY("WorkloadEntry", "workloadentries", List.of("we"), WorkloadEntry.class),
  WORKLOAD_GROUP("WorkloadGroup", "workloadgroups", List.of("wg"), WorkloadGroup.class),
  ENVOY_FILTER("EnvoyFilter", "envoyfilters", List.of(), EnvoyFilter.class),
  PEER_AUTHENTICATION(
      IstioKinds.SECURITY_GROUP,
      "PeerAuthentication",
      "peerauthentications",
      List.of("pa"),
      PeerAuthentication.class),
  AUTHORIZATION_POLICY(
      IstioKinds.SECURITY_GROUP,
      "AuthorizationPolicy",
      "authorizationpolicies",
      List.of("ap"),
      AuthorizationPolicy.class),
  REQUEST_AUTHENTICATION(
      IstioKinds.SECURITY_GROUP,
      "RequestAuthentication",
      "requestauthentications",
      List.of("ra"),
      RequestAuthentication.class);

  private final String group;
  private final String kind;
  private final String plural;
  private final List<String> shortNames;
  private final Class<? extends IstioSpec> specType;

  IstioKind(
      String kind, String plural, List<String> shortNames, Class<? extends IstioSpec> specType) {
    this(IstioKinds.NETWORKING_GROUP, kind, plural, shortNames, specType);
  }

  IstioKind(
      String group,
      String kind,
      String plural,
      List<String> shortNames,
      Class<? extends IstioSpec> specType) {
    this.group = group;
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

  /** The API group, {@code networking.istio.io} or {@code security.istio.io}. */
  public String group() {
    return group;
  }

  /**
   * The versions the API server serves for this kind, storage version ({@code v1}) first: {@code
   * v1, v1beta1, v1alpha3} for networking, {@code v1, v1beta1} for security (as Istio's CRDs).
   */
  public List<String> versions() {
    if (this == ENVOY_FILTER) {
      return IstioKinds.ENVOY_FILTER_VERSIONS;
    }
    return group.equals(IstioKinds.SECURITY_GROUP)
        ? IstioKinds.SECURITY_VERSIONS
        : IstioKinds.VERSIONS;
  }

  /** {@code group/version} of the storage version, e.g. {@code security.istio.io/v1}. */
  public String storageApiVersion() {
    return group + "/" + versions().get(0);
  }

  /** The record class of this kind's spec. */
  public Class<? extends IstioSpec> specType() {
    return specType;
  }
}
