package dev.meshctl.xds.model;

/**
 * A workload's inbound mutual-TLS mode, Istio's {@code PeerAuthentication.MutualTLS.Mode}. {@link
 * #UNSET} only appears in policies (it inherits from the parent scope); a resolved mode from {@link
 * PeerAuthenticationIndex} is never UNSET.
 */
public enum MtlsMode {
  /** Inherit from the parent scope (port → workload → namespace → mesh → PERMISSIVE). */
  UNSET,
  /** Plaintext only: inbound chains do not terminate TLS. */
  DISABLE,
  /** Both mutual TLS (Istio peers) and plaintext are accepted: Istio's default. */
  PERMISSIVE,
  /** Mutual TLS only: plaintext connections are refused. */
  STRICT
}
