package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.type.v3.Int32Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The listener filters of {@code virtualInbound} that inspect the first bytes: the TLS inspector
 * (sets transport {@code tls} and the client's ALPN) and the HTTP inspector (sets {@code
 * http/1.1}/{@code h2c}). Both delay server-first protocols (MySQL sends first), so like Istio each
 * runs only on destination ports whose chains match on what it finds; port 0 stands for the chains
 * without a port (passthrough) and decides the default. Stateless; any thread.
 */
final class InboundInspectors {
  private InboundInspectors() {}

  /** The TLS inspector, or empty when no chain matches transport {@code tls}. */
  static Optional<ListenerFilter> tlsInspector(List<FilterChain> chains) {
    Map<Integer, Boolean> needs = needs(chains, true);
    if (!needs.containsValue(true)) {
      return Optional.empty();
    }
    ListenerFilter inspector = TypedConfigs.tlsInspector();
    boolean byDefault = needs.getOrDefault(0, false);
    List<Integer> listed = new ArrayList<>();
    needs.forEach(
        (port, tls) -> {
          // On by default: list the ports to skip. Off by default: list the ports to inspect.
          if (port != 0 && tls != byDefault) {
            listed.add(port);
          }
        });
    if (listed.isEmpty()) {
      return Optional.of(inspector);
    }
    ListenerFilterChainMatchPredicate ports = anyPort(listed);
    ListenerFilterChainMatchPredicate disabled =
        byDefault
            ? ports
            : ListenerFilterChainMatchPredicate.newBuilder().setNotMatch(ports).build();
    return Optional.of(inspector.toBuilder().setFilterDisabled(disabled).build());
  }

  /**
   * The HTTP inspector, or empty when no chain matches plaintext HTTP ALPN; turned off for every
   * port (0 included) whose chains do not.
   */
  static Optional<ListenerFilter> httpInspector(List<FilterChain> chains) {
    Map<Integer, Boolean> needs = needs(chains, false);
    if (!needs.containsValue(true)) {
      return Optional.empty();
    }
    List<Integer> disabled = new ArrayList<>();
    needs.forEach(
        (port, http) -> {
          if (!http) {
            disabled.add(port);
          }
        });
    ListenerFilter inspector = TypedConfigs.httpInspector();
    if (disabled.isEmpty()) {
      return Optional.of(inspector);
    }
    return Optional.of(inspector.toBuilder().setFilterDisabled(anyPort(disabled)).build());
  }

  /** Per destination port (0: none), whether some chain there needs the inspector. */
  private static Map<Integer, Boolean> needs(List<FilterChain> chains, boolean tls) {
    Map<Integer, Boolean> needs = new TreeMap<>();
    for (FilterChain c : chains) {
      int port = c.getFilterChainMatch().getDestinationPort().getValue();
      boolean need =
          tls
              ? InboundChainOptions.TLS.equals(c.getFilterChainMatch().getTransportProtocol())
              : c.getFilterChainMatch().getApplicationProtocolsList().stream()
                  .anyMatch(Listeners.PLAINTEXT_HTTP_ALPNS::contains);
      needs.merge(port, need, Boolean::logicalOr);
    }
    return needs;
  }

  /** Matches a destination port in {@code ports} (sorted). */
  private static ListenerFilterChainMatchPredicate anyPort(List<Integer> ports) {
    List<ListenerFilterChainMatchPredicate> ranges = new ArrayList<>();
    for (int port : ports) {
      ranges.add(
          ListenerFilterChainMatchPredicate.newBuilder()
              .setDestinationPortRange(Int32Range.newBuilder().setStart(port).setEnd(port + 1))
              .build());
    }
    if (ranges.size() == 1) {
      return ranges.get(0);
    }
    return ListenerFilterChainMatchPredicate.newBuilder()
        .setOrMatch(ListenerFilterChainMatchPredicate.MatchSet.newBuilder().addAllRules(ranges))
        .build();
  }
}
