package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.type.v3.Int32Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds {@code virtualInbound} ({@code 0.0.0.0:15006}), where iptables redirects every inbound
 * connection. Its chains, in Istio's order: {@code virtualInbound-blackhole} (traffic addressed to
 * 15006 itself would loop), the passthrough chains for ports no service declares ({@code
 * virtualInbound-catchall-http} when sniffed as HTTP, {@code virtualInbound} otherwise, both to
 * {@code InboundPassthroughCluster}), then per served target port a chain {@code 0.0.0.0_<port>}
 * matched on destination port: HTTP to an HCM with an inline route to {@code inbound|<port>||}, TCP
 * to {@code tcp_proxy}, sniffed ports both. Chains match plaintext ({@code raw_buffer}) only, as
 * with PeerAuthentication DISABLE; mTLS chains arrive with PeerAuthentication. Pure; any thread.
 */
public final class InboundListenerTranslator {
  private InboundListenerTranslator() {}

  public static Listener translate(SidecarScope scope) {
    List<FilterChain> chains = new ArrayList<>();
    chains.add(blackhole());
    chains.add(
        httpChain(
            ResourceNames.VIRTUAL_INBOUND_CATCHALL_HTTP,
            0,
            ResourceNames.statPrefix(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER),
            RouteTranslator.inbound(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER, 0),
            true,
            false));
    chains.add(
        tcpChain(
            ResourceNames.VIRTUAL_INBOUND_PASSTHROUGH_TCP,
            0,
            ResourceNames.INBOUND_PASSTHROUGH_CLUSTER));
    for (SidecarScope.InboundPort in : scope.inbound()) {
      chains.addAll(portChains(in));
    }
    return Listener.newBuilder()
        .setName(ResourceNames.VIRTUAL_INBOUND)
        .setAddress(
            Listeners.address(ResourceNames.WILDCARD_ADDRESS, ResourceNames.VIRTUAL_INBOUND_PORT))
        .addAllFilterChains(chains)
        .setTrafficDirection(TrafficDirection.INBOUND)
        .setContinueOnListenerFiltersTimeout(true)
        .addListenerFilters(TypedConfigs.originalDst())
        // Plaintext chains do not need it yet; kept so mTLS (PERMISSIVE, Istio's default) chains
        // can be added without changing the listener filters.
        .addListenerFilters(TypedConfigs.tlsInspector())
        .addListenerFilters(httpInspector(chains))
        .setListenerFiltersTimeout(Duration.getDefaultInstance())
        .build();
  }

  private static List<FilterChain> portChains(SidecarScope.InboundPort in) {
    int port = in.targetPort();
    String name = ResourceNames.inboundFilterChain(port);
    String cluster = ResourceNames.inboundCluster(port);
    Protocol protocol = in.target().port().protocol();
    boolean http2 = ListenerProtocol.isHttp2(protocol);
    String statPrefix = ResourceNames.inboundHttpStatPrefix(port);
    // The vhost is named by the service port, the route config and cluster by the target port.
    int servicePort = in.target().port().port();
    return switch (ListenerProtocol.of(protocol)) {
      case HTTP ->
          List.of(
              httpChain(
                  name,
                  port,
                  statPrefix,
                  RouteTranslator.inbound(cluster, servicePort),
                  false,
                  http2));
      case TCP -> List.of(tcpChain(name, port, cluster));
      case AUTO ->
          List.of(
              httpChain(
                  name,
                  port,
                  statPrefix,
                  RouteTranslator.inbound(cluster, servicePort),
                  true,
                  false),
              tcpChain(name, port, cluster));
      case NONE -> List.of();
    };
  }

  private static FilterChain blackhole() {
    return FilterChain.newBuilder()
        .setName(ResourceNames.VIRTUAL_INBOUND_BLACKHOLE)
        .setFilterChainMatch(
            FilterChainMatch.newBuilder()
                .setDestinationPort(UInt32Value.of(ResourceNames.VIRTUAL_INBOUND_PORT)))
        .addFilters(TypedConfigs.tcpProxy(ResourceNames.BLACKHOLE_CLUSTER))
        .build();
  }

  private static FilterChain httpChain(
      String name,
      int port,
      String statPrefix,
      io.envoyproxy.envoy.config.route.v3.RouteConfiguration routes,
      boolean sniffed,
      boolean http2) {
    FilterChainMatch.Builder match = match(port);
    if (sniffed) {
      match.addAllApplicationProtocols(Listeners.PLAINTEXT_HTTP_ALPNS);
    }
    return FilterChain.newBuilder()
        .setName(name)
        .setFilterChainMatch(match)
        .addFilters(HttpConnectionManagers.inbound(statPrefix, routes, http2))
        .build();
  }

  private static FilterChain tcpChain(String name, int port, String cluster) {
    return FilterChain.newBuilder()
        .setName(name)
        .setFilterChainMatch(match(port))
        .addFilters(TypedConfigs.tcpProxy(cluster))
        .build();
  }

  private static FilterChainMatch.Builder match(int port) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder();
    if (port > 0) {
      m.setDestinationPort(UInt32Value.of(port));
    }
    return m.setTransportProtocol(Listeners.RAW_BUFFER);
  }

  /**
   * The HTTP inspector delays server-first protocols (MySQL sends first), so like Istio we turn it
   * off for every destination port whose chains never match on ALPN. Port 0 stands for chains
   * without a port (the passthrough chains), which decide the default.
   */
  static ListenerFilter httpInspector(List<FilterChain> chains) {
    Map<Integer, Boolean> needs = new TreeMap<>();
    for (FilterChain c : chains) {
      int port = c.getFilterChainMatch().getDestinationPort().getValue();
      boolean http = c.getFilterChainMatch().getApplicationProtocolsCount() > 0;
      needs.merge(port, http, Boolean::logicalOr);
    }
    List<ListenerFilterChainMatchPredicate> disabled = new ArrayList<>();
    needs.forEach(
        (port, http) -> {
          if (!http) {
            disabled.add(
                ListenerFilterChainMatchPredicate.newBuilder()
                    .setDestinationPortRange(
                        Int32Range.newBuilder().setStart(port).setEnd(port + 1))
                    .build());
          }
        });
    ListenerFilter inspector = TypedConfigs.httpInspector();
    if (disabled.isEmpty()) {
      return inspector;
    }
    ListenerFilterChainMatchPredicate predicate =
        disabled.size() == 1
            ? disabled.get(0)
            : ListenerFilterChainMatchPredicate.newBuilder()
                .setOrMatch(
                    ListenerFilterChainMatchPredicate.MatchSet.newBuilder().addAllRules(disabled))
                .build();
    return inspector.toBuilder().setFilterDisabled(predicate).build();
  }
}
