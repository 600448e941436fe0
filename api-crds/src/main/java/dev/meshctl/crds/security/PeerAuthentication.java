package dev.meshctl.crds.security;

import dev.meshctl.crds.networking.Common.MatchLabelsSelector;
import java.util.Map;

/**
 * The spec of a {@code security.istio.io} PeerAuthentication: which mutual TLS mode a workload's
 * inbound traffic accepts, for the whole workload and per port. Immutable; {@code null} means
 * absent; decoded maps are never {@code null}. {@code portLevelMtls} keys are port numbers written
 * as map keys (protobuf {@code map<uint32, MutualTLS>}); the validator checks they are ports.
 */
public record PeerAuthentication(
    MatchLabelsSelector selector, MutualTls mtls, Map<String, MutualTls> portLevelMtls)
    implements SecuritySpec {

  /** The mutual TLS settings ({@code PeerAuthentication.MutualTLS}). */
  public record MutualTls(Mode mode) {}

  /** mTLS modes; {@code UNSET} inherits from the parent policy (PERMISSIVE at the top). */
  public enum Mode {
    UNSET,
    DISABLE,
    PERMISSIVE,
    STRICT
  }
}
