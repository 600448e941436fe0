package dev.meshctl.xds.model;

/**
 * The kinds of input the model understands, with the Kubernetes {@code kind} each comes from.
 * Endpoint-only kinds are listed so the push pipeline can tell an EDS-only change from a full one.
 * Istio's kinds ({@code networking.istio.io}, {@code security.istio.io}) are never endpoint-only: a
 * DestinationRule subset or a ServiceEntry changes clusters, a VirtualService routes, a
 * PeerAuthentication inbound filter chains.
 */
public enum ConfigKind {
  SERVICE("Service", false),
  ENDPOINT_SLICE("EndpointSlice", true),
  POD("Pod", false),
  VIRTUAL_SERVICE("VirtualService", false),
  DESTINATION_RULE("DestinationRule", false),
  GATEWAY("Gateway", false),
  SERVICE_ENTRY("ServiceEntry", false),
  SIDECAR("Sidecar", false),
  WORKLOAD_ENTRY("WorkloadEntry", false),
  WORKLOAD_GROUP("WorkloadGroup", false),
  PEER_AUTHENTICATION("PeerAuthentication", false),
  AUTHORIZATION_POLICY("AuthorizationPolicy", false),
  REQUEST_AUTHENTICATION("RequestAuthentication", false),
  /** Patches to generated Envoy config: reach the proxies of its namespace (all for the root). */
  ENVOY_FILTER("EnvoyFilter", false),
  /** A Kubernetes Secret: gateway credentials served over SDS; changes only SDS resources. */
  SECRET("Secret", false),
  /** Labels select namespaces for discovery selectors: a change re-scopes the whole mesh. */
  NAMESPACE("Namespace", false),
  /** Node topology labels set endpoint localities; rare, so a full push is fine. */
  NODE("Node", false),
  /** The one mesh config ({@link MeshConfig#KEY}); mesh-wide, so always a full push. */
  MESH_CONFIG("MeshConfig", false),
  /**
   * A revision tag's webhook configuration ({@link RevisionTag}): it re-scopes which config belongs
   * to this revision, so a full push.
   */
  REVISION_TAG("MutatingWebhookConfiguration", false);

  private final String kubeKind;
  private final boolean endpointOnly;

  ConfigKind(String kubeKind, boolean endpointOnly) {
    this.kubeKind = kubeKind;
    this.endpointOnly = endpointOnly;
  }

  /** The Kubernetes {@code kind}, e.g. {@code EndpointSlice}. */
  public String kubeKind() {
    return kubeKind;
  }

  /** The kind of an Istio object (networking or security). */
  public static ConfigKind of(dev.meshctl.crds.IstioKind kind) {
    return switch (kind) {
      case VIRTUAL_SERVICE -> VIRTUAL_SERVICE;
      case DESTINATION_RULE -> DESTINATION_RULE;
      case GATEWAY -> GATEWAY;
      case SERVICE_ENTRY -> SERVICE_ENTRY;
      case SIDECAR -> SIDECAR;
      case WORKLOAD_ENTRY -> WORKLOAD_ENTRY;
      case WORKLOAD_GROUP -> WORKLOAD_GROUP;
      case PEER_AUTHENTICATION -> PEER_AUTHENTICATION;
      case AUTHORIZATION_POLICY -> AUTHORIZATION_POLICY;
      case REQUEST_AUTHENTICATION -> REQUEST_AUTHENTICATION;
      case ENVOY_FILTER -> ENVOY_FILTER;
    };
  }

  /** True when a change of this kind can only change endpoints (EDS), never clusters or routes. */
  public boolean endpointOnly() {
    return endpointOnly;
  }
}
