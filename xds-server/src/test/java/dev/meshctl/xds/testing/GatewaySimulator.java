package dev.meshctl.xds.testing;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Map;

/**
 * Follows a request arriving at a gateway proxy through its generated config the way Envoy would:
 * listener by port, filter chain by SNI ({@code server_names}, exact or {@code *.suffix}), route
 * config, virtual host (exact domain, then {@code *.suffix}, then {@code *}), {@code require_tls}
 * (301 for plain text), route (prefix and path matches), cluster; an {@code sni_cluster} filter
 * ahead of {@code tcp_proxy} makes a TLS connection's SNI the cluster. Models only what the gateway
 * generator emits. The result's {@code filterChain} is the index of the chosen chain.
 */
public final class GatewaySimulator {
  private final List<Listener> listeners;
  private final Map<String, RouteConfiguration> routes;

  public GatewaySimulator(XdsDump dump) {
    this.listeners = dump.listenerList();
    this.routes = dump.routeConfigs();
  }

  /**
   * A request to listener port {@code port}; {@code sni} is {@code null} for plain text, else the
   * TLS server name (the TLS is assumed terminated or passed through as the chain says).
   */
  public RouteSimulator.Result request(int port, String sni, String host, String path) {
    Listener l =
        listeners.stream()
            .filter(x -> x.getAddress().getSocketAddress().getPortValue() == port)
            .findFirst()
            .orElse(null);
    if (l == null) {
      return new RouteSimulator.Result("", "", "", "", "", "", 0);
    }
    int chosen = -1;
    int bestScore = -1;
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      List<String> names = l.getFilterChains(i).getFilterChainMatch().getServerNamesList();
      int score;
      if (names.isEmpty()) {
        score = 0;
      } else if (sni != null && names.contains(sni)) {
        score = 2;
      } else if (sni != null && names.stream().anyMatch(n -> wildcard(n, sni))) {
        score = 1;
      } else {
        continue;
      }
      if (score > bestScore) {
        chosen = i;
        bestScore = score;
      }
    }
    if (chosen < 0) {
      return new RouteSimulator.Result(l.getName(), "", "", "", "", "", 0);
    }
    FilterChain chain = l.getFilterChains(chosen);
    String chainId = Integer.toString(chosen);
    boolean tls = sni != null;
    boolean sniCluster = false;
    for (Filter f : chain.getFiltersList()) {
      if (f.getTypedConfig().is(SniCluster.class)) {
        // Envoy's sni_cluster leaves the cluster alone for connections without SNI.
        sniCluster = tls && !sni.isEmpty();
        continue;
      }
      if (f.getTypedConfig().is(TcpProxy.class)) {
        TcpProxy t = Unpack.of(f.getTypedConfig(), TcpProxy.class);
        String cluster = sniCluster ? sni : t.getCluster();
        return new RouteSimulator.Result(l.getName(), chainId, "", "", "", cluster, 0);
      }
      if (f.getTypedConfig().is(HttpConnectionManager.class)) {
        HttpConnectionManager hcm = Unpack.of(f.getTypedConfig(), HttpConnectionManager.class);
        RouteConfiguration rc = routes.get(hcm.getRds().getRouteConfigName());
        if (rc == null) {
          throw new AssertionError("listener " + l.getName() + " names missing RDS " + hcm);
        }
        return http(l.getName(), chainId, rc, host, path, tls);
      }
    }
    return new RouteSimulator.Result(l.getName(), chainId, "", "", "", "", 0);
  }

  private static RouteSimulator.Result http(
      String listener, String chain, RouteConfiguration rc, String host, String path, boolean tls) {
    VirtualHost vhost = null;
    int best = -1;
    for (VirtualHost v : rc.getVirtualHostsList()) {
      for (String d : v.getDomainsList()) {
        int score = d.equals(host) ? 3 : wildcard(d, host) ? 2 : d.equals("*") ? 1 : -1;
        if (score > best) {
          best = score;
          vhost = v;
        }
      }
    }
    if (vhost == null) {
      return new RouteSimulator.Result(listener, chain, rc.getName(), "", "", "", 404);
    }
    if (!tls && vhost.getRequireTls() == VirtualHost.TlsRequirementType.ALL) {
      return new RouteSimulator.Result(listener, chain, rc.getName(), vhost.getName(), "", "", 301);
    }
    for (Route r : vhost.getRoutesList()) {
      boolean matches =
          (r.getMatch().hasPrefix() && path.startsWith(r.getMatch().getPrefix()))
              || (r.getMatch().hasPath() && path.equals(r.getMatch().getPath()));
      if (!matches) {
        continue;
      }
      if (r.hasDirectResponse()) {
        return new RouteSimulator.Result(
            listener,
            chain,
            rc.getName(),
            vhost.getName(),
            r.getName(),
            "",
            r.getDirectResponse().getStatus());
      }
      if (r.hasRedirect()) {
        return new RouteSimulator.Result(
            listener, chain, rc.getName(), vhost.getName(), r.getName(), "", 301);
      }
      return new RouteSimulator.Result(
          listener,
          chain,
          rc.getName(),
          vhost.getName(),
          r.getName(),
          r.getRoute().getCluster(),
          0);
    }
    return new RouteSimulator.Result(listener, chain, rc.getName(), vhost.getName(), "", "", 404);
  }

  private static boolean wildcard(String pattern, String name) {
    return pattern.startsWith("*.") && name.endsWith(pattern.substring(1));
  }
}
