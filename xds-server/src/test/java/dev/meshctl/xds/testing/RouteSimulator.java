package dev.meshctl.xds.testing;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Map;

/**
 * Follows a connection or request through generated sidecar config the way Envoy would, far enough
 * to say where it lands: which listener, filter chain, route config, virtual host, route and
 * cluster (or direct response). A model of Envoy's matching limited to what our generator emits:
 * destination address and port, transport protocol and ALPN for chains; exact then {@code *}
 * domains; prefix and path route matches. Requests are plaintext; {@link #inboundChain} also picks
 * the chain of an inbound TLS connection (transport {@code tls} and the client's ALPN).
 */
public final class RouteSimulator {
  private static final String WILDCARD = "0.0.0.0";
  private static final int VIRTUAL_INBOUND_PORT = 15006;

  private final List<Listener> listeners;
  private final Map<String, RouteConfiguration> routes;

  public RouteSimulator(XdsDump dump) {
    this.listeners = dump.listenerList();
    this.routes = dump.routeConfigs();
  }

  /**
   * Where a request or connection landed. Fields that do not apply are {@code ""} (or 0 for the
   * status).
   */
  public record Result(
      String listener,
      String filterChain,
      String routeConfig,
      String virtualHost,
      String route,
      String cluster,
      int directResponseStatus) {}

  /** An outbound plaintext HTTP/1.1 request to {@code ip:port} with this Host header and path. */
  public Result outboundHttp(String ip, int port, String host, String path) {
    return outboundHttp(ip, port, host, path, Map.of());
  }

  /**
   * The same request with headers (lower-case names). A weighted route's cluster is reported as
   * {@code name=weight,...} in route order.
   */
  public Result outboundHttp(
      String ip, int port, String host, String path, Map<String, String> headers) {
    return follow(outboundListener(ip, port), port, "http/1.1", host, path, headers);
  }

  /** An outbound TCP connection to {@code ip:port} that does not look like HTTP. */
  public Result outboundTcp(String ip, int port) {
    return follow(outboundListener(ip, port), port, "", "", "");
  }

  /** An inbound plaintext HTTP/1.1 request arriving for container port {@code port}. */
  public Result inboundHttp(int port, String host, String path) {
    return follow(listener("virtualInbound"), port, "http/1.1", host, path);
  }

  /** An inbound non-HTTP connection for container port {@code port}. */
  public Result inboundTcp(int port) {
    return follow(listener("virtualInbound"), port, "", "", "");
  }

  /**
   * The {@code virtualInbound} chain Envoy picks for a connection to container port {@code port}
   * with this transport ({@code raw_buffer} or {@code tls}, as the TLS inspector reports it) and
   * ALPN ({@code ""} for none); empty when no chain matches (Envoy closes the connection).
   */
  public java.util.Optional<FilterChain> inboundChain(int port, String transport, String alpn) {
    return java.util.Optional.ofNullable(
        chooseChain(listener("virtualInbound"), port, transport, alpn));
  }

  /** iptables sends everything to 15001; its original destination picks the listener. */
  private Listener outboundListener(String ip, int port) {
    Listener exact = null;
    Listener wildcard = null;
    for (Listener l : listeners) {
      if (l.getAddress().getSocketAddress().getPortValue() != port
          || port == VIRTUAL_INBOUND_PORT) {
        continue;
      }
      String address = l.getAddress().getSocketAddress().getAddress();
      if (address.equals(ip)) {
        exact = l;
      } else if (address.equals(WILDCARD) && !l.getName().startsWith("virtual")) {
        wildcard = l;
      }
    }
    if (exact != null) {
      return exact;
    }
    return wildcard != null ? wildcard : listener("virtualOutbound");
  }

  private Listener listener(String name) {
    return listeners.stream()
        .filter(l -> l.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no listener " + name));
  }

  private Result follow(Listener l, int port, String alpn, String host, String path) {
    return follow(l, port, alpn, host, path, Map.of());
  }

  private Result follow(
      Listener l, int port, String alpn, String host, String path, Map<String, String> headers) {
    FilterChain chain = chooseChain(l, port, "raw_buffer", alpn);
    if (chain == null) {
      return new Result(l.getName(), "", "", "", "", "", 0);
    }
    for (Filter f : chain.getFiltersList()) {
      if (f.getTypedConfig().is(TcpProxy.class)) {
        TcpProxy tcp = Unpack.of(f.getTypedConfig(), TcpProxy.class);
        return new Result(l.getName(), chain.getName(), "", "", "", tcp.getCluster(), 0);
      }
      if (f.getTypedConfig().is(HttpConnectionManager.class)) {
        HttpConnectionManager hcm = Unpack.of(f.getTypedConfig(), HttpConnectionManager.class);
        RouteConfiguration rc =
            hcm.hasRds() ? routes.get(hcm.getRds().getRouteConfigName()) : hcm.getRouteConfig();
        if (rc == null) {
          throw new AssertionError(
              "listener "
                  + l.getName()
                  + " names missing RDS "
                  + hcm.getRds().getRouteConfigName());
        }
        return http(l.getName(), chain.getName(), rc, host, path, headers);
      }
    }
    return new Result(l.getName(), chain.getName(), "", "", "", "", 0);
  }

  /**
   * Envoy narrows chains level by level: destination port, then transport protocol, then ALPN. At
   * each level, if some remaining chain names the value exactly, only those chains stay; otherwise
   * the chains leaving it open stay. A connection that reaches an empty set matches nothing (no
   * fallback to a less specific port), which is how a STRICT port refuses plaintext.
   */
  private static FilterChain chooseChain(Listener l, int port, String transport, String alpn) {
    List<FilterChain> left = l.getFilterChainsList();
    left =
        narrow(left, m -> m.hasDestinationPort(), m -> m.getDestinationPort().getValue() == port);
    left =
        narrow(
            left,
            m -> !m.getTransportProtocol().isEmpty(),
            m -> m.getTransportProtocol().equals(transport));
    left =
        narrow(
            left,
            m -> m.getApplicationProtocolsCount() > 0,
            m -> m.getApplicationProtocolsList().contains(alpn));
    if (!left.isEmpty()) {
      return left.get(0);
    }
    return l.hasDefaultFilterChain() ? l.getDefaultFilterChain() : null;
  }

  private static List<FilterChain> narrow(
      List<FilterChain> chains,
      java.util.function.Predicate<FilterChainMatch> names,
      java.util.function.Predicate<FilterChainMatch> matches) {
    List<FilterChain> exact =
        chains.stream()
            .filter(c -> names.test(c.getFilterChainMatch()))
            .filter(c -> matches.test(c.getFilterChainMatch()))
            .toList();
    if (!exact.isEmpty()) {
      return exact;
    }
    return chains.stream().filter(c -> !names.test(c.getFilterChainMatch())).toList();
  }

  private static Result http(
      String listener,
      String chain,
      RouteConfiguration rc,
      String host,
      String path,
      Map<String, String> headers) {
    String domain = host;
    int colon = domain.lastIndexOf(':');
    if (colon > 0 && rc.getIgnorePortInHostMatching()) {
      domain = domain.substring(0, colon);
    }
    VirtualHost vhost = null;
    for (VirtualHost v : rc.getVirtualHostsList()) {
      if (v.getDomainsList().contains(domain)) {
        vhost = v;
        break;
      }
    }
    if (vhost == null) {
      vhost =
          rc.getVirtualHostsList().stream()
              .filter(v -> v.getDomainsList().contains("*"))
              .findFirst()
              .orElse(null);
    }
    if (vhost == null) {
      return new Result(listener, chain, rc.getName(), "", "", "", 404);
    }
    for (Route r : vhost.getRoutesList()) {
      boolean matches =
          ((r.getMatch().hasPrefix() && path.startsWith(r.getMatch().getPrefix()))
                  || (r.getMatch().hasPath() && path.equals(r.getMatch().getPath())))
              && r.getMatch().getHeadersList().stream().allMatch(h -> headerMatches(h, headers));
      if (!matches) {
        continue;
      }
      if (r.hasDirectResponse()) {
        return new Result(
            listener,
            chain,
            rc.getName(),
            vhost.getName(),
            r.getName(),
            "",
            r.getDirectResponse().getStatus());
      }
      return new Result(
          listener, chain, rc.getName(), vhost.getName(), r.getName(), cluster(r.getRoute()), 0);
    }
    return new Result(listener, chain, rc.getName(), vhost.getName(), "", "", 404);
  }

  /**
   * Exact and presence matches (optionally inverted), the kinds the generator emits for headers.
   */
  private static boolean headerMatches(HeaderMatcher h, Map<String, String> headers) {
    String value = headers.get(h.getName());
    boolean m;
    if (h.hasPresentMatch()) {
      m = value != null;
    } else if (h.hasStringMatch() && h.getStringMatch().hasExact()) {
      m = h.getStringMatch().getExact().equals(value);
    } else if (h.hasStringMatch() && h.getStringMatch().hasPrefix()) {
      m = value != null && value.startsWith(h.getStringMatch().getPrefix());
    } else {
      throw new AssertionError("the simulator does not model header matcher " + h);
    }
    return m != h.getInvertMatch();
  }

  private static String cluster(RouteAction a) {
    if (!a.hasWeightedClusters()) {
      return a.getCluster();
    }
    StringBuilder b = new StringBuilder();
    for (WeightedCluster.ClusterWeight w : a.getWeightedClusters().getClustersList()) {
      b.append(b.length() == 0 ? "" : ",")
          .append(w.getName())
          .append('=')
          .append(w.getWeight().getValue());
    }
    return b.toString();
  }
}
