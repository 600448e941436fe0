package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a sidecar's outbound listeners, which the {@code virtualOutbound} listener hands
 * connections to by original destination (all have {@code bind_to_port: false}):
 *
 * <ul>
 *   <li>HTTP ports share {@code 0.0.0.0_<port>}: an HTTP chain (ALPN {@code http/1.1}, {@code h2c})
 *       with RDS {@code "<port>"}, and {@code PassthroughFilterChain} for anything else;
 *   <li>TCP ports get {@code <vip>_<port>} with one {@code tcp_proxy} chain to the service;
 *   <li>sniffed ports get {@code <vip>_<port>}: an HTTP chain with RDS {@code <host>:<port>} and
 *       the TCP chain as the default chain;
 *   <li>headless services have no VIP: their TCP and sniffed ports get one listener per endpoint IP
 *       (not the proxy's own), their HTTP ports share the wildcard listener.
 * </ul>
 *
 * When two services claim the same address and port with different protocols, the first by host
 * name wins and the other is skipped (Istio merges some of these cases; not yet done here). Pure;
 * any thread.
 */
public final class OutboundListenerTranslator {
  private OutboundListenerTranslator() {}

  private enum Kind {
    HTTP,
    TCP,
    AUTO
  }

  private record Entry(Kind kind, Service service, ServicePort port, String bind) {}

  public static List<Listener> translate(MeshSnapshot snapshot, SidecarScope scope) {
    Map<String, Entry> entries = new TreeMap<>();
    Set<String> ownIps = new TreeSet<>(scope.proxy().ipAddresses());
    for (Service service : scope.services()) {
      for (ServicePort port : service.ports()) {
        ListenerProtocol lp = ListenerProtocol.of(port.protocol());
        if (lp == ListenerProtocol.NONE) {
          continue;
        }
        Kind kind =
            lp == ListenerProtocol.HTTP
                ? Kind.HTTP
                : lp == ListenerProtocol.TCP ? Kind.TCP : Kind.AUTO;
        for (String bind : binds(snapshot, service, port, kind, ownIps)) {
          // First claim wins; a second HTTP service on a shared wildcard port is served by the
          // same listener through its own virtual host in RDS.
          entries.putIfAbsent(
              ResourceNames.listener(bind, port.port()), new Entry(kind, service, port, bind));
        }
      }
    }
    List<Listener> out = new ArrayList<>();
    entries.forEach((name, e) -> out.add(listener(scope, name, e)));
    return out;
  }

  private static List<String> binds(
      MeshSnapshot snapshot, Service service, ServicePort port, Kind kind, Set<String> ownIps) {
    if (kind == Kind.HTTP) {
      return List.of(ResourceNames.WILDCARD_ADDRESS);
    }
    if (!service.vip().isEmpty()) {
      return List.of(service.vip());
    }
    if (!service.headless()) {
      return List.of(); // no ClusterIP assigned yet: nothing to match on
    }
    // A headless TCP service is reached by pod IP, so listen on each one (Kubernetes services with
    // no endpoints get nothing, as in Istio, which avoids a wildcard listener that could conflict).
    TreeSet<String> ips = new TreeSet<>();
    for (MeshEndpoint e : snapshot.endpoints().endpoints(service.id(), port.port())) {
      if (!ownIps.contains(e.address()) && e.address().indexOf(':') < 0) {
        ips.add(e.address());
      }
    }
    return new ArrayList<>(ips);
  }

  private static Listener listener(SidecarScope scope, String name, Entry e) {
    String host = scope.host(e.service());
    String cluster = ResourceNames.outboundCluster(e.port().port(), "", host);
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(Listeners.address(e.bind(), e.port().port()))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .setContinueOnListenerFiltersTimeout(true)
            // Istio's protocolDetectionTimeout default: 0, never give up waiting for bytes.
            .setListenerFiltersTimeout(Duration.getDefaultInstance())
            .setBindToPort(BoolValue.of(false));
    switch (e.kind()) {
      case HTTP -> {
        l.addFilterChains(httpChain(name, ResourceNames.httpRouteConfig(e.port().port())));
        l.setDefaultFilterChain(passthroughChain(scope));
        inspectors(l);
      }
      case TCP -> l.addFilterChains(tcpChain(cluster));
      case AUTO -> {
        l.addFilterChains(httpChain(name, ResourceNames.hostPort(host, e.port().port())));
        l.setDefaultFilterChain(tcpChain(cluster));
        inspectors(l);
      }
    }
    return l.build();
  }

  /**
   * The TLS inspector comes with the HTTP inspector: a chain matching ALPN without {@code
   * raw_buffer} would make Envoy inject one anyway (envoyproxy/envoy#13601).
   */
  private static void inspectors(Listener.Builder l) {
    l.addListenerFilters(TypedConfigs.tlsInspector());
    l.addListenerFilters(TypedConfigs.httpInspector());
  }

  private static FilterChain httpChain(String listenerName, String rds) {
    return FilterChain.newBuilder()
        .setFilterChainMatch(
            FilterChainMatch.newBuilder()
                .setTransportProtocol(Listeners.RAW_BUFFER)
                .addAllApplicationProtocols(Listeners.PLAINTEXT_HTTP_ALPNS))
        .addFilters(
            HttpConnectionManagers.outbound(
                ResourceNames.outboundHttpStatPrefix(listenerName), rds))
        .build();
  }

  private static FilterChain tcpChain(String cluster) {
    return FilterChain.newBuilder().addFilters(TypedConfigs.tcpProxy(cluster)).build();
  }

  /** Non-HTTP bytes on a shared HTTP port go where unknown destinations go. */
  static FilterChain passthroughChain(SidecarScope scope) {
    return FilterChain.newBuilder()
        .setName(ResourceNames.PASSTHROUGH_FILTER_CHAIN)
        .setFilterChainMatch(FilterChainMatch.getDefaultInstance())
        .addFilters(TypedConfigs.tcpProxy(scope.catchAllCluster()))
        .build();
  }
}
