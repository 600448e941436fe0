package dev.meshctl.xds.model;

/**
 * How a client proxy finds a service's endpoints (Istio's {@code model.Resolution}). Kubernetes
 * Services are {@link #CLIENT_SIDE_LB}, or {@link #PASSTHROUGH} when headless; ServiceEntries map
 * {@code STATIC} to {@link #CLIENT_SIDE_LB}, {@code NONE} to {@link #PASSTHROUGH}, {@code DNS} to
 * {@link #DNS_LB} and {@code DNS_ROUND_ROBIN} to {@link #DNS_ROUND_ROBIN}.
 */
public enum Resolution {
  /** Endpoints over EDS, balanced by the client. */
  CLIENT_SIDE_LB,
  /** The client already chose the IP: forward to the original destination. */
  PASSTHROUGH,
  /** Envoy resolves every endpoint host name and balances over all answers (STRICT_DNS). */
  DNS_LB,
  /** Envoy resolves the first endpoint host name and connects to one answer (LOGICAL_DNS). */
  DNS_ROUND_ROBIN
}
