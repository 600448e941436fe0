package dev.meshctl.xds.model;

/**
 * The kinds of input the model understands, with the Kubernetes {@code kind} each comes from.
 * Endpoint-only kinds are listed so the push pipeline can tell an EDS-only change from a full one.
 */
public enum ConfigKind {
  SERVICE("Service", false),
  ENDPOINT_SLICE("EndpointSlice", true),
  POD("Pod", false);

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

  /** True when a change of this kind can only change endpoints (EDS), never clusters or routes. */
  public boolean endpointOnly() {
    return endpointOnly;
  }
}
