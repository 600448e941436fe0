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
import java.util.ArrayList;
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
    return follow(
        outboundListener(ip, port), ip, port, "", "raw_buffer", "http/1.1", host, path, headers);
  }

  /**
   * An outbound TCP connection to {@code ip:port} that does not look like HTTP. A weighted
   * tcp_proxy's cluster is reported as {@code name=weight,...}.
   */
  public Result outboundTcp(String ip, int port) {
    return follow(outboundListener(ip, port), ip, port, "", "raw_buffer", "", "", "", Map.of());
  }

  /** An outbound TLS connection to {@code ip:port} whose ClientHello carries {@code sni}. */
  public Result outboundTls(String ip, int port, String sni) {
    return follow(outboundListener(ip, port), ip, port, sni, "tls", "", "", "", Map.of());
  }

  /** An inbound plaintext HTTP/1.1 request arriving for container port {@code port}. */
  public Result inboundHttp(int port, String host, String path) {
    return follow(listener("virtualInbound"), port, "http/1.1", host, path);
  }

  /**
   * An inbound HTTP/1.1 request from an Istio peer over mutual TLS (no SNI, ALPN {@code
   * istio-http/1.1}, as Istio clients send) for container port {@code port}.
   */
  public Result inboundMtlsHttp(int port, String host, String path) {
    return follow(
        listener("virtualInbound"), "", port, "", "tls", "istio-http/1.1", host, path, Map.of());
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
        chooseChain(listener("virtualInbound"), "", port, "", transport, alpn));
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
    return follow(l, "", port, "", "raw_buffer", alpn, host, path, Map.of());
  }

  private Result follow(
      Listener l,
      String ip,
      int port,
      String sni,
      String transport,
      String alpn,
      String host,
      String path,
      Map<String, String> headers) {
    FilterChain chain = chooseChain(l, ip, port, sni, transport, alpn);
    if (chain == null) {
      return new Result(l.getName(), "", "", "", "", "", 0);
    }
    for (Filter f : chain.getFiltersList()) {
      if (f.getTypedConfig().is(TcpProxy.class)) {
        TcpProxy tcp = Unpack.of(f.getTypedConfig(), TcpProxy.class);
        String cluster = tcp.getCluster();
        if (tcp.hasWeightedClusters()) {
          List<String> parts = new ArrayList<>();
          tcp.getWeightedClusters()
              .getClustersList()
              .forEach(c -> parts.add(c.getName() + "=" + c.getWeight()));
          cluster = String.join(",", parts);
        }
        return new Result(l.getName(), chain.getName(), "", "", "", cluster, 0);
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
   * Envoy narrows chains level by level: destination port, destination IP (longest matching
   * prefix), server name (exact, then the longest matching wildcard), transport protocol, ALPN. At
   * each level, if some remaining chain names a matching value, only the best of those stay;
   * otherwise the chains leaving it open stay. A connection that reaches an empty set matches
   * nothing (no fallback to a less specific port), which is how a STRICT port refuses plaintext.
   */
  private static FilterChain chooseChain(
      Listener l, String ip, int port, String sni, String transport, String alpn) {
    List<FilterChain> left = l.getFilterChainsList();
    left =
        narrow(left, m -> m.hasDestinationPort(), m -> m.getDestinationPort().getValue() == port);
    int prefix =
        left.stream().mapToInt(c -> longestPrefix(c.getFilterChainMatch(), ip)).max().orElse(-1);
    left =
        narrow(
            left,
            m -> m.getPrefixRangesCount() > 0,
            m -> prefix > 0 && longestPrefix(m, ip) == prefix);
    int sniScore =
        left.stream().mapToInt(c -> sniScore(c.getFilterChainMatch(), sni)).max().orElse(-1);
    left =
        narrow(
            left,
            m -> m.getServerNamesCount() > 0,
            m -> sniScore > 0 && sniScore(m, sni) == sniScore);
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

  /** The longest matching prefix length, 0 when the chain names none, -1 when none matches. */
  private static int longestPrefix(FilterChainMatch m, String ip) {
    if (m.getPrefixRangesCount() == 0) {
      return 0;
    }
    int best = -1;
    for (io.envoyproxy.envoy.config.core.v3.CidrRange r : m.getPrefixRangesList()) {
      int len = r.getPrefixLen().getValue();
      if (!ip.isEmpty() && inRange(ip, r.getAddressPrefix(), len)) {
        best = Math.max(best, len);
      }
    }
    return best;
  }

  private static boolean inRange(String ip, String prefix, int len) {
    byte[] a = com.google.common.net.InetAddresses.forString(ip).getAddress();
    byte[] p = com.google.common.net.InetAddresses.forString(prefix).getAddress();
    if (a.length != p.length) {
      return false;
    }
    for (int bit = 0; bit < len; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((a[bit / 8] & mask) != (p[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /**
   * How well a chain's server names match {@code sni}: above every wildcard for an exact name, the
   * wildcard's length for a matching wildcard, 0 when none matches or the chain names none.
   */
  private static int sniScore(FilterChainMatch m, String sni) {
    int best = 0;
    for (String n : m.getServerNamesList()) {
      if (n.equals(sni)) {
        return Integer.MAX_VALUE;
      }
      if (serverNameMatches(n, sni)) {
        best = Math.max(best, n.length());
      }
    }
    return best;
  }

  private static boolean serverNameMatches(String name, String sni) {
    if (name.startsWith("*.")) {
      return sni.endsWith(name.substring(1));
    }
    return name.equals(sni);
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
      // Envoy's next choice: the longest suffix wildcard ("*.bar.com").
      int longest = 0;
      for (VirtualHost v : rc.getVirtualHostsList()) {
        for (String d : v.getDomainsList()) {
          if (d.startsWith("*.") && domain.endsWith(d.substring(1)) && d.length() > longest) {
            vhost = v;
            longest = d.length();
          }
        }
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
