package dev.meshctl.xds.translate.envoyfilter;

import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.ClusterMatch;
import dev.meshctl.crds.networking.EnvoyFilter.FilterChainMatch;
import dev.meshctl.crds.networking.EnvoyFilter.ListenerMatch;
import dev.meshctl.crds.networking.EnvoyFilter.RouteConfigurationMatch;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.envoyfilter.PatchRef.Direction;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.Optional;

/**
 * Whether a generated Envoy object is one an EnvoyFilter match names, and which patch context it
 * belongs to, as Istio decides both. Every criterion a match sets must hold; an absent match
 * matches everything. Pure; any thread.
 */
final class Matches {
  private Matches() {}

  static Direction direction(Proxy proxy, boolean inbound) {
    if (proxy.type() == Proxy.ProxyType.ROUTER) {
      return Direction.GATEWAY;
    }
    return inbound ? Direction.SIDECAR_INBOUND : Direction.SIDECAR_OUTBOUND;
  }

  static Direction of(Cluster c, Proxy proxy) {
    return direction(proxy, c.getName().startsWith("inbound|"));
  }

  static Direction of(Listener l, Proxy proxy) {
    return direction(
        proxy,
        l.getTrafficDirection() == TrafficDirection.INBOUND
            || l.getName().equals(ResourceNames.VIRTUAL_INBOUND));
  }

  /** Name, then the {@code outbound|port|subset|host} parts. */
  static boolean cluster(Cluster c, ClusterMatch m) {
    if (m == null) {
      return true;
    }
    if (m.name() != null && !m.name().isEmpty() && !m.name().equals(c.getName())) {
      return false;
    }
    boolean parts = positive(m.portNumber()) || notEmpty(m.service()) || notEmpty(m.subset());
    if (!parts) {
      return true;
    }
    Optional<ResourceNames.ClusterKey> key = ResourceNames.parseCluster(c.getName());
    if (key.isEmpty()) {
      return false;
    }
    return (!positive(m.portNumber()) || key.get().port() == m.portNumber())
        && (!notEmpty(m.service()) || key.get().host().equals(m.service()))
        && (!notEmpty(m.subset()) || key.get().subset().equals(m.subset()));
  }

  /**
   * Name, and port: the listener's, or for {@code virtualInbound} a filter chain's destination port
   * (Istio matches inbound ports per chain there).
   */
  static boolean listener(Listener l, ListenerMatch m) {
    if (m == null) {
      return true;
    }
    if (notEmpty(m.name()) && !m.name().equals(l.getName())) {
      return false;
    }
    if (positive(m.portNumber())) {
      if (l.getName().equals(ResourceNames.VIRTUAL_INBOUND)) {
        return l.getFilterChainsList().stream()
            .anyMatch(
                c -> c.getFilterChainMatch().getDestinationPort().getValue() == m.portNumber());
      }
      return l.getAddress().getSocketAddress().getPortValue() == m.portNumber();
    }
    return true;
  }

  /** Every filter chain criterion the match sets, for a chain of {@code l}. */
  static boolean chain(Listener l, FilterChain c, ListenerMatch lm) {
    if (lm == null) {
      return true;
    }
    if (positive(lm.portNumber())
        && l.getName().equals(ResourceNames.VIRTUAL_INBOUND)
        && c.getFilterChainMatch().getDestinationPort().getValue() != lm.portNumber()) {
      return false;
    }
    FilterChainMatch m = lm.filterChain();
    if (m == null) {
      return true;
    }
    var cm = c.getFilterChainMatch();
    if (notEmpty(m.name()) && !m.name().equals(c.getName())) {
      return false;
    }
    if (notEmpty(m.sni()) && !cm.getServerNamesList().contains(m.sni())) {
      return false;
    }
    if (notEmpty(m.transportProtocol())
        && !m.transportProtocol().equals(cm.getTransportProtocol())) {
      return false;
    }
    if (notEmpty(m.applicationProtocols())) {
      for (String alpn : m.applicationProtocols().split(",")) {
        if (!cm.getApplicationProtocolsList().contains(alpn.trim())) {
          return false;
        }
      }
    }
    if (positive(m.destinationPort())
        && cm.getDestinationPort().getValue() != m.destinationPort()) {
      return false;
    }
    if (notEmpty(m.transportSocket())
        && !m.transportSocket().equals(c.getTransportSocket().getName())) {
      return false;
    }
    EnvoyFilter.FilterMatch fm = m.filter();
    if (fm == null || !notEmpty(fm.name())) {
      return true;
    }
    for (Filter f : c.getFiltersList()) {
      if (f.getName().equals(fm.name())) {
        return fm.subFilter() == null
            || !notEmpty(fm.subFilter().name())
            || hasHttpFilter(f, fm.subFilter().name());
      }
    }
    return false;
  }

  private static boolean hasHttpFilter(Filter f, String name) {
    if (!f.getName().equals(TypedConfigs.HTTP_CONNECTION_MANAGER)
        || !f.getTypedConfig().is(HttpConnectionManager.class)) {
      return false;
    }
    try {
      return f.getTypedConfig().unpack(HttpConnectionManager.class).getHttpFiltersList().stream()
          .anyMatch(h -> h.getName().equals(name));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return false;
    }
  }

  /**
   * Name, and port: route configurations are named by port ({@code 80}), {@code host:port}, {@code
   * http.<port>} on gateways, or {@code inbound|<port>||} inline in inbound listeners. A {@code
   * gateway} criterion only admits gateways.
   */
  static boolean routeConfiguration(RouteConfiguration rc, RouteConfigurationMatch m, Proxy proxy) {
    if (m == null) {
      return true;
    }
    if (notEmpty(m.name()) && !m.name().equals(rc.getName())) {
      return false;
    }
    if (notEmpty(m.gateway()) && proxy.type() != Proxy.ProxyType.ROUTER) {
      return false;
    }
    if (positive(m.portNumber())) {
      String n = rc.getName();
      String port;
      if (n.startsWith("inbound|")) {
        String[] parts = n.split("\\|", -1);
        port = parts.length > 1 ? parts[1] : "";
      } else {
        port = n.substring(Math.max(n.lastIndexOf(':'), n.lastIndexOf('.')) + 1);
      }
      if (!port.equals(String.valueOf(m.portNumber()))) {
        return false;
      }
    }
    return true;
  }

  static boolean virtualHost(VirtualHost v, EnvoyFilter.VirtualHostMatch m) {
    return m == null
        || ((!notEmpty(m.name()) || m.name().equals(v.getName()))
            && (!notEmpty(m.domainName()) || v.getDomainsList().contains(m.domainName())));
  }

  static boolean route(Route r, EnvoyFilter.RouteMatch m) {
    if (m == null) {
      return true;
    }
    if (notEmpty(m.name()) && !m.name().equals(r.getName())) {
      return false;
    }
    if (m.action() == null) {
      return true;
    }
    return switch (m.action()) {
      case ANY -> true;
      case ROUTE -> r.hasRoute();
      case REDIRECT -> r.hasRedirect();
      case DIRECT_RESPONSE -> r.hasDirectResponse();
    };
  }

  static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  static boolean positive(Integer i) {
    return i != null && i > 0;
  }
}
