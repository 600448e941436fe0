package dev.meshctl.crds.networking;

import dev.meshctl.crds.Required;
import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.Common.Port;
import dev.meshctl.crds.networking.Common.ServerTlsSettings;
import dev.meshctl.crds.networking.Common.WorkloadSelector;
import java.util.List;

/**
 * The spec of a {@code networking.istio.io} Sidecar. Immutable; {@code null} means absent; decoded
 * lists are never {@code null}.
 */
public record Sidecar(
    WorkloadSelector workloadSelector,
    List<IngressListener> ingress,
    List<EgressListener> egress,
    ConnectionPoolSettings inboundConnectionPool,
    OutboundTrafficPolicy outboundTrafficPolicy)
    implements NetworkingSpec {

  /** An inbound listener ({@code IstioIngressListener}). */
  public record IngressListener(
      @Required Port port,
      String bind,
      CaptureMode captureMode,
      String defaultEndpoint,
      ServerTlsSettings tls,
      ConnectionPoolSettings connectionPool) {}

  /** An outbound listener and the hosts it imports ({@code IstioEgressListener}). */
  public record EgressListener(
      Port port, String bind, CaptureMode captureMode, @Required List<String> hosts) {}

  /** How traffic reaches the listener. */
  public enum CaptureMode {
    DEFAULT,
    IPTABLES,
    NONE
  }

  /** What happens to traffic for unknown hosts ({@code OutboundTrafficPolicy}). */
  public record OutboundTrafficPolicy(Mode mode, Destination egressProxy) {}

  /** Outbound policy modes. */
  public enum Mode {
    REGISTRY_ONLY,
    ALLOW_ANY
  }
}
