package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a sidecar's outbound listeners, which the {@code virtualOutbound} listener hands
 * connections to by original destination ({@code bind_to_port: false}, except for Sidecar egress
 * listeners with {@code captureMode: NONE}):
 *
 * <ul>
 *   <li>HTTP ports share {@code 0.0.0.0_<port>}: an HTTP chain (ALPN {@code http/1.1}, {@code h2c})
 *       with RDS {@code "<port>"}, and {@code PassthroughFilterChain} for anything else;
 *   <li>TCP ports get {@code <vip>_<port>} with one {@code tcp_proxy} chain to the service;
 *   <li>sniffed ports get {@code <vip>_<port>}: an HTTP chain with RDS {@code <host>:<port>} and
 *       the TCP chain as the default chain;
 *   <li>headless services have no VIP: their TCP and sniffed ports get one listener per endpoint IP
 *       (not the proxy's own), their HTTP ports share the wildcard listener;
 *   <li>ServiceEntry TCP and sniffed ports get one listener per address ({@code <addr>_<port>}); a
 *       CIDR address, or no address at all, shares {@code 0.0.0.0_<port>} (a CIDR through a chain
 *       matching its prefix).
 * </ul>
 *
 * TCP listeners carry one chain per VirtualService {@code tls}/{@code tcp} rule or service ({@link
 * TcpRoutes}), so services sharing a TCP listener are told apart by SNI or destination prefix.
 *
 * <p>A Sidecar's egress listeners with a {@code port} are built first, from the services their
 * hosts import on that port and with their declared protocol; their {@code bind} replaces the
 * address (wildcard or VIP), and {@code captureMode: NONE} makes a real socket ({@code
 * bind_to_port} left true, on {@code 127.0.0.1} without a bind). Listeners so built are locked, as
 * in Istio: the catch-all egress listener (if any) adds nothing to them and builds the rest from
 * the services it imports. When two services claim the same address and port with different
 * protocols, the first by host name wins and the other is skipped (Istio merges some of these
 * cases; not yet done here). Pure; any thread.
 */
public final class OutboundListenerTranslator {
  private OutboundListenerTranslator() {}

  private enum Kind {
    HTTP,
    TCP,
    AUTO
  }

  private record Entry(
      Kind kind, Service service, ServicePort port, String bind, String cidr, boolean bindToPort) {}

  public static List<Listener> translate(MeshSnapshot snapshot, SidecarScope scope) {
    Map<String, List<Entry>> entries = new TreeMap<>();
    Set<String> ownIps = new TreeSet<>(scope.proxy().ipAddresses());
    // Interception mode NONE: nothing is redirected, so every listener binds a real socket.
    boolean noneMode = scope.proxy().capture().mode() == Proxy.InterceptionMode.NONE;
    // Egress listeners with a port come first and own their listeners: the catch-all egress
    // listener adds nothing to them (Istio's "locked" listener entries).
    for (Sidecar.EgressListener l : scope.portListeners()) {
      int number = l.port().number();
      Kind kind =
          kind(
              ListenerProtocol.of(
                  Protocol.parse(l.port().protocol() == null ? "" : l.port().protocol())));
      if (kind == null) {
        continue;
      }
      // captureMode NONE: a real socket, on the bind or else on loopback (Istio binds
      // 127.0.0.1); otherwise iptables hands the connection over by original destination.
      boolean bindToPort = noneMode || l.captureMode() == Sidecar.CaptureMode.NONE;
      String bind = l.bind() != null && !l.bind().isEmpty() ? l.bind() : bindToPort ? LOOPBACK : "";
      if (!bindable(scope, bindToPort, number)) {
        continue;
      }
      for (Service service : scope.services()) {
        if (!scope.imports(l, service)) {
          continue;
        }
        for (ServicePort port : service.ports()) {
          if (port.port() != number) {
            continue;
          }
          List<String> addresses =
              !bind.isEmpty() ? List.of(bind) : binds(snapshot, service, port, kind, ownIps);
          for (String address : addresses) {
            claim(entries, kind, service, port, address, bindToPort);
          }
        }
      }
    }
    Set<String> locked = new TreeSet<>(entries.keySet());
    Optional<Sidecar.EgressListener> catchAll = scope.catchAllListener();
    boolean catchAllBinds =
        noneMode || catchAll.map(l -> l.captureMode() == Sidecar.CaptureMode.NONE).orElse(false);
    String catchAllBind =
        catchAll.map(Sidecar.EgressListener::bind).filter(b -> !b.isEmpty()).orElse("");
    if (catchAllBind.isEmpty() && catchAllBinds) {
      catchAllBind = LOOPBACK;
    }
    for (Service service : scope.services()) {
      if (!scope.importedByCatchAll(service)) {
        continue; // imported by port listeners only: they built its listeners
      }
      for (ServicePort port : service.ports()) {
        Kind kind = kind(ListenerProtocol.of(port.protocol()));
        if (kind == null || !bindable(scope, catchAllBinds, port.port())) {
          continue;
        }
        List<String> binds =
            catchAllBind.isEmpty()
                ? binds(snapshot, service, port, kind, ownIps)
                : List.of(catchAllBind);
        for (String bind : binds) {
          String cidr = bind.indexOf('/') < 0 ? "" : bind;
          String address = cidr.isEmpty() ? bind : ResourceNames.WILDCARD_ADDRESS;
          if (locked.contains(ResourceNames.listener(address, port.port()))) {
            continue;
          }
          // The first claim decides the listener's kind; a second HTTP service on a shared
          // wildcard port is served through its own virtual host in RDS, a second TCP service
          // through its own filter chain.
          claim(entries, kind, service, port, bind, catchAllBinds);
        }
      }
    }
    List<Listener> out = new ArrayList<>();
    entries.forEach((name, claims) -> out.add(listener(scope, name, claims)));
    return out;
  }

  private static final String LOOPBACK = "127.0.0.1";

  /** Whether the proxy may bind {@code port}: an unprivileged proxy cannot bind below 1024. */
  private static boolean bindable(SidecarScope scope, boolean bindToPort, int port) {
    return !bindToPort || port >= 1024 || !scope.proxy().capture().unprivilegedPod();
  }

  private static Kind kind(ListenerProtocol lp) {
    return switch (lp) {
      case HTTP -> Kind.HTTP;
      case TCP -> Kind.TCP;
      case AUTO -> Kind.AUTO;
      case NONE -> null;
    };
  }

  /** A claim of an egress listener with a port: same first-claim-wins rule as the catch-all. */
  private static void claim(
      Map<String, List<Entry>> entries,
      Kind kind,
      Service service,
      ServicePort port,
      String bind,
      boolean bindToPort) {
    String cidr = bind.indexOf('/') < 0 ? "" : bind;
    String address = cidr.isEmpty() ? bind : ResourceNames.WILDCARD_ADDRESS;
    List<Entry> claims =
        entries.computeIfAbsent(
            ResourceNames.listener(address, port.port()), k -> new ArrayList<>());
    if (claims.isEmpty() || (claims.get(0).kind() == Kind.TCP && kind == Kind.TCP)) {
      claims.add(new Entry(kind, service, port, address, cidr, bindToPort));
    }
  }

  private static List<String> binds(
      MeshSnapshot snapshot, Service service, ServicePort port, Kind kind, Set<String> ownIps) {
    if (kind == Kind.HTTP) {
      return List.of(ResourceNames.WILDCARD_ADDRESS);
    }
    if (service.attributes().fromServiceEntry()) {
      // Istio binds each address; CIDRs go through the wildcard listener (see translate).
      List<String> addresses = service.attributes().addresses();
      return addresses.isEmpty() ? List.of(ResourceNames.WILDCARD_ADDRESS) : addresses;
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

  private static Listener listener(SidecarScope scope, String name, List<Entry> claims) {
    Entry e = claims.get(0);
    String host = scope.host(e.service());
    String cluster = ResourceNames.outboundCluster(e.port().port(), "", host);
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(Listeners.address(e.bind(), e.port().port()))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .setContinueOnListenerFiltersTimeout(true)
            // No HTTP inspector: no timeout (see inspectors for listeners that sniff).
            .setListenerFiltersTimeout(Duration.getDefaultInstance());
    if (e.bindToPort()) {
      l.setMaxConnectionsToAcceptPerSocketEvent(
          UInt32Value.of(Listeners.MAX_CONNECTIONS_PER_SOCKET_EVENT));
    } else {
      l.setBindToPort(BoolValue.of(false));
    }
    switch (e.kind()) {
      case HTTP -> {
        String rds = ResourceNames.httpRouteConfig(e.port().port());
        if (e.bind().equals(ResourceNames.WILDCARD_ADDRESS)) {
          // The wildcard port also sees non-HTTP traffic to unknown destinations: sniff it.
          l.addFilterChains(httpChain(name, rds));
          l.setDefaultFilterChain(passthroughChain(scope));
          inspectors(l, scope);
        } else {
          // A listener of its own address (loopback without iptables, a bind) is plain HTTP, as
          // in Istio: one chain for everything, no inspectors.
          l.addFilterChains(
              FilterChain.newBuilder()
                  .addFilters(
                      HttpConnectionManagers.outbound(
                          ResourceNames.outboundHttpStatPrefix(name), rds)));
        }
      }
      case TCP -> {
        List<TcpRoutes.Claim> tcp = new ArrayList<>();
        claims.forEach(c -> tcp.add(new TcpRoutes.Claim(c.service(), c.port(), c.cidr())));
        List<FilterChain> chains = TcpRoutes.chains(scope, e.port().port(), tcp);
        l.addAllFilterChains(chains);
        if (chains.stream().anyMatch(c -> c.getFilterChainMatch().getServerNamesCount() > 0)) {
          l.addListenerFilters(TypedConfigs.tlsInspector());
        }
      }
      case AUTO -> {
        // A sniffed port on the wildcard address (an egress listener's bind-less HTTP-less port
        // of a VIP-less service) would share its route; Istio names it by port then, too.
        l.addFilterChains(httpChain(name, ResourceNames.hostPort(host, e.port().port())));
        l.setDefaultFilterChain(tcpChain(cluster));
        inspectors(l, scope);
      }
    }
    return l.build();
  }

  /**
   * The TLS inspector comes with the HTTP inspector: a chain matching ALPN without {@code
   * raw_buffer} would make Envoy inject one anyway (envoyproxy/envoy#13601).
   */
  private static void inspectors(Listener.Builder l, SidecarScope scope) {
    l.addListenerFilters(TypedConfigs.tlsInspector());
    l.addListenerFilters(TypedConfigs.httpInspector());
    // With an HTTP inspector, the mesh's protocolDetectionTimeout bounds the wait for bytes.
    l.setListenerFiltersTimeout(
        ClusterTranslator.duration(scope.mesh().defaults().protocolDetectionTimeout()));
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
