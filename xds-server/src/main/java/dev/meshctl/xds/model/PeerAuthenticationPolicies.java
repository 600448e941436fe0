package dev.meshctl.xds.model;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.security.PeerAuthentication;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Converts decoded PeerAuthentication objects into {@link PeerAuthenticationPolicy}, the form mode
 * resolution ({@link PeerAuthenticationIndex}) reads. Stateless; any thread.
 */
public final class PeerAuthenticationPolicies {
  private PeerAuthenticationPolicies() {}

  /**
   * The policy of a validated PeerAuthentication. An absent {@code mtls} or mode is {@link
   * MtlsMode#UNSET} (inherit); an absent selector makes the policy namespace-wide (mesh-wide in the
   * root namespace). Port keys that are not ports cannot reach here (the validator refuses them)
   * and are skipped if they do.
   *
   * @throws IllegalArgumentException if {@code config} is not a PeerAuthentication
   */
  public static PeerAuthenticationPolicy of(IstioConfig config) {
    if (config.kind() != IstioKind.PEER_AUTHENTICATION) {
      throw new IllegalArgumentException(config.what() + " is not a PeerAuthentication");
    }
    PeerAuthentication pa = config.spec(PeerAuthentication.class);
    Optional<Map<String, String>> selector =
        pa.selector() == null ? Optional.empty() : Optional.of(pa.selector().matchLabels());
    Map<Integer, MtlsMode> ports = new TreeMap<>();
    pa.portLevelMtls()
        .forEach(
            (port, mtls) -> {
              if (port.matches("[0-9]{1,5}")) {
                ports.put(Integer.parseInt(port), mode(mtls));
              }
            });
    return new PeerAuthenticationPolicy(
        config.namespace(), config.name(), selector, mode(pa.mtls()), ports);
  }

  private static MtlsMode mode(PeerAuthentication.MutualTls mtls) {
    if (mtls == null || mtls.mode() == null) {
      return MtlsMode.UNSET;
    }
    return switch (mtls.mode()) {
      case UNSET -> MtlsMode.UNSET;
      case DISABLE -> MtlsMode.DISABLE;
      case PERMISSIVE -> MtlsMode.PERMISSIVE;
      case STRICT -> MtlsMode.STRICT;
    };
  }
}
