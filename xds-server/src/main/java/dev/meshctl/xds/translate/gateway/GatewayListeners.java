package dev.meshctl.xds.translate.gateway;

import com.google.protobuf.BoolValue;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.VirtualService.L4MatchAttributes;
import dev.meshctl.crds.networking.VirtualService.RouteDestination;
import dev.meshctl.crds.networking.VirtualService.TcpRoute;
import dev.meshctl.crds.networking.VirtualService.TlsMatchAttributes;
import dev.meshctl.crds.networking.VirtualService.TlsRoute;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.common.ConfigSources;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.routes.RouteContext;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A gateway proxy's listeners (LDS), one per merged listener ({@code 0.0.0.0_8080}, bound to the
 * port for real, unlike a sidecar's): plain HTTP servers share one HTTP connection manager with RDS
 * {@code http.<port>}; each HTTPS server terminating TLS gets a chain matched on its SNI hosts with
 * its own TLS context and RDS {@code https.<port>.<name>.<gw>.<ns>}; TCP and terminated TLS servers
 * get {@code tcp_proxy} from the bound VirtualServices' {@code tcp} routes; PASSTHROUGH servers one
 * chain per {@code tls} route match, by SNI; AUTO_PASSTHROUGH servers one chain matched on their
 * hosts whose {@code sni_cluster} filter makes {@code tcp_proxy} use the cluster the SNI names (the
 * SNI-DNAT clusters of {@link GatewaySniClusters}), no VirtualService needed. A listener left
 * without any chain is omitted (Envoy rejects it). Pure; any thread.
 */
public final class GatewayListeners {
  private GatewayListeners() {}

  /** Every listener of the merged gateway, ordered by name. */
  public static List<Listener> translate(MeshSnapshot snapshot, Proxy proxy, MergedGateway mg) {
    List<Listener> out = new ArrayList<>();
    mg.listeners().forEach((name, l) -> listener(snapshot, proxy, name, l).ifPresent(out::add));
    return out;
  }

  private static Optional<Listener> listener(
      MeshSnapshot snapshot, Proxy proxy, String name, MergedGateway.Listener l) {
    List<FilterChain> chains = new ArrayList<>();
    boolean sni = false;
    boolean httpDone = false;
    for (GatewayServer s : l.servers()) {
      if (s.protocol().isHttp()) {
        if (!httpDone) {
          chains.add(FilterChain.newBuilder().addFilters(hcm(name, s.routeName())).build());
          httpDone = true;
        }
        continue;
      }
      if (s.autoPassthrough()) {
        List<String> names = serverNames(s.plainHosts());
        chains.add(autoPassthroughChain(names));
        sni = true;
        continue;
      }
      if (s.passthrough()) {
        List<FilterChain> pass = passthroughChains(snapshot, proxy, s);
        chains.addAll(pass);
        sni |= !pass.isEmpty();
        continue;
      }
      FilterChainMatch.Builder match = FilterChainMatch.newBuilder();
      if (s.server().tls() != null) {
        List<String> names = serverNames(s.plainHosts());
        match.addAllServerNames(names);
        sni |= !names.isEmpty();
      }
      FilterChain.Builder chain = FilterChain.newBuilder().setFilterChainMatch(match);
      GatewayTls.transportSocket(s).ifPresent(chain::setTransportSocket);
      if (s.httpServer()) {
        chain.addFilters(hcm(name, s.routeName()));
      } else {
        Optional<Filter> tcp = tcpProxy(snapshot, proxy, s);
        if (tcp.isEmpty()) {
          continue;
        }
        chain.addFilters(tcp.get());
      }
      chains.add(chain.build());
    }
    if (chains.isEmpty()) {
      return Optional.empty();
    }
    Listener.Builder b =
        Listener.newBuilder()
            .setName(name)
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress(l.bind()).setPortValue(l.port())))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .addAllFilterChains(chains);
    if (sni) {
      b.addListenerFilters(TypedConfigs.tlsInspector());
    }
    return Optional.of(b.build());
  }

  /** SNI names of server hosts; {@code *} matches any SNI (and none), so it adds no names. */
  static List<String> serverNames(List<String> hosts) {
    if (hosts.contains("*")) {
      return List.of();
    }
    return hosts.stream().sorted().toList();
  }

  /**
   * The gateway's HTTP connection manager: RDS over ADS, Istio's gateway stat prefix, and the
   * client address taken from the connection ({@code use_remote_address}): a gateway is the edge.
   */
  static Filter hcm(String listenerName, String routeName) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(ResourceNames.outboundHttpStatPrefix(listenerName))
            .setRds(
                Rds.newBuilder().setConfigSource(ConfigSources.ads()).setRouteConfigName(routeName))
            .addHttpFilters(
                TypedConfigs.httpFilter(TypedConfigs.FAULT, HTTPFault.getDefaultInstance()))
            .addHttpFilters(TypedConfigs.httpFilter(TypedConfigs.CORS, Cors.getDefaultInstance()))
            .addHttpFilters(TypedConfigs.router())
            .setUseRemoteAddress(BoolValue.of(true))
            .build();
    return TypedConfigs.networkFilter(TypedConfigs.HTTP_CONNECTION_MANAGER, hcm);
  }

  /** The first {@code tcp} route of a bound VirtualService that applies to the server. */
  private static Optional<Filter> tcpProxy(MeshSnapshot snapshot, Proxy proxy, GatewayServer s) {
    for (IstioConfig c : boundVirtualServices(snapshot, proxy, s)) {
      VirtualService vs = c.spec(VirtualService.class);
      for (TcpRoute r : vs.tcp()) {
        if (r.route().isEmpty() || !l4Applies(r.match(), s, c.namespace())) {
          continue;
        }
        return Optional.of(tcpProxy(snapshot, proxy, s, c, r.route()));
      }
    }
    return Optional.empty();
  }

  private static boolean l4Applies(List<L4MatchAttributes> matches, GatewayServer s, String ns) {
    if (matches.isEmpty()) {
      return true;
    }
    for (L4MatchAttributes m : matches) {
      if (portOk(m.port(), s) && gatewaysOk(m.gateways(), s, ns)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The AUTO_PASSTHROUGH chain: {@code sni_cluster} first, so that {@code tcp_proxy} goes to the
   * cluster named by the SNI; its own cluster, {@code BlackHoleCluster}, is used only without SNI.
   */
  static FilterChain autoPassthroughChain(List<String> serverNames) {
    return FilterChain.newBuilder()
        .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(serverNames))
        .addFilters(
            TypedConfigs.networkFilter(TypedConfigs.SNI_CLUSTER, SniCluster.getDefaultInstance()))
        .addFilters(TypedConfigs.tcpProxy(ResourceNames.BLACKHOLE_CLUSTER))
        .build();
  }

  /** One chain per {@code tls} route match naming SNI hosts the server accepts. */
  private static List<FilterChain> passthroughChains(
      MeshSnapshot snapshot, Proxy proxy, GatewayServer s) {
    List<FilterChain> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (IstioConfig c : boundVirtualServices(snapshot, proxy, s)) {
      VirtualService vs = c.spec(VirtualService.class);
      for (TlsRoute r : vs.tls()) {
        if (r.route().isEmpty()) {
          continue;
        }
        for (TlsMatchAttributes m : r.match()) {
          if (!portOk(m.port(), s) || !gatewaysOk(m.gateways(), s, c.namespace())) {
            continue;
          }
          List<String> names = new ArrayList<>();
          for (String sni : m.sniHosts()) {
            String h = sni.toLowerCase(java.util.Locale.ROOT);
            boolean accepted = s.plainHosts().stream().anyMatch(p -> covers(p, h));
            if (accepted && !seen.contains(h) && !names.contains(h)) {
              names.add(h);
            }
          }
          if (names.isEmpty()) {
            continue;
          }
          seen.addAll(names);
          out.add(
              FilterChain.newBuilder()
                  .setFilterChainMatch(
                      FilterChainMatch.newBuilder()
                          .addAllServerNames(names.stream().sorted().toList()))
                  .addFilters(tcpProxy(snapshot, proxy, s, c, r.route()))
                  .build());
        }
      }
    }
    return out;
  }

  /** Whether server host {@code pattern} covers SNI host {@code h} (either may be a wildcard). */
  static boolean covers(String pattern, String h) {
    return IstioHosts.matches(pattern, h) || IstioHosts.matches(h, pattern);
  }

  private static Filter tcpProxy(
      MeshSnapshot snapshot,
      Proxy proxy,
      GatewayServer s,
      IstioConfig vs,
      List<RouteDestination> route) {
    RouteContext ctx = GatewayRoutes.context(snapshot, proxy, s, vs);
    TcpProxy.Builder t = TcpProxy.newBuilder();
    List<RouteDestination> dests =
        route.stream()
            .filter(d -> route.size() == 1 || d.weight() == null || d.weight() > 0)
            .toList();
    if (dests.size() == 1) {
      String cluster = cluster(ctx, vs.namespace(), dests.get(0).destination());
      t.setCluster(cluster).setStatPrefix(cluster);
    } else {
      TcpProxy.WeightedCluster.Builder w = TcpProxy.WeightedCluster.newBuilder();
      for (RouteDestination d : dests) {
        w.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(cluster(ctx, vs.namespace(), d.destination()))
                .setWeight(d.weight() == null ? 0 : d.weight()));
      }
      // Stats of a split go under its first cluster's name.
      t.setWeightedClusters(w).setStatPrefix(w.getClusters(0).getName());
    }
    return TypedConfigs.networkFilter(TypedConfigs.TCP_PROXY, t.build());
  }

  private static String cluster(RouteContext ctx, String ns, Destination d) {
    Integer port = d.port() == null ? null : d.port().number();
    return ctx.cluster(ns, d.host(), d.subset(), port);
  }

  private static boolean portOk(Integer port, GatewayServer s) {
    return port == null || port == 0 || port.equals(s.server().port().number());
  }

  private static boolean gatewaysOk(List<String> gateways, GatewayServer s, String ns) {
    return gateways == null
        || gateways.isEmpty()
        || dev.meshctl.xds.model.GatewayIndex.bindsTo(
            gateways, ns, s.gateway().namespace(), s.gateway().name());
  }

  static List<IstioConfig> boundVirtualServices(
      MeshSnapshot snapshot, Proxy proxy, GatewayServer s) {
    List<IstioConfig> out = new ArrayList<>();
    for (IstioConfig c :
        snapshot
            .gateways()
            .virtualServicesFor(s.gateway().namespace(), s.gateway().name(), proxy.namespace())) {
      if (!GatewayRoutes.intersect(s, c).isEmpty()) {
        out.add(c);
      }
    }
    return out;
  }
}
