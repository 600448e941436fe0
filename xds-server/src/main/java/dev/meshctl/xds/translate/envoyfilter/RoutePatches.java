package dev.meshctl.xds.translate.envoyfilter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.ApplyTo;
import dev.meshctl.crds.networking.EnvoyFilter.Operation;
import dev.meshctl.crds.networking.EnvoyFilter.RouteConfigurationMatch;
import dev.meshctl.xds.proxy.Proxy;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * EnvoyFilter {@code ROUTE_CONFIGURATION}, {@code VIRTUAL_HOST} and {@code HTTP_ROUTE} patches: on
 * the route configurations sent by RDS (outbound and gateway contexts), and on those inline in
 * inbound HTTP connection managers ({@code SIDECAR_INBOUND}). Pure; any thread.
 */
final class RoutePatches {
  private RoutePatches() {}

  static void rds(SortedMap<String, Message> out, PatchRef p, Proxy proxy)
      throws InvalidProtocolBufferException {
    if (!p.allows(Matches.direction(proxy, false))) {
      return;
    }
    for (Map.Entry<String, Message> e : new TreeMap<>(out).entrySet()) {
      RouteConfiguration rc = (RouteConfiguration) e.getValue();
      if (Matches.routeConfiguration(rc, routeMatch(p), proxy)) {
        out.put(e.getKey(), routeConfiguration(rc, p));
      }
    }
  }

  /**
   * Route patches on the route configurations inline in inbound HTTP connection managers (context
   * SIDECAR_INBOUND or ANY), as Istio applies them when it builds the inbound listeners.
   */
  static void inbound(SortedMap<String, Message> out, PatchRef p, Proxy proxy)
      throws InvalidProtocolBufferException {
    if (proxy.type() == Proxy.ProxyType.ROUTER || !p.allows(PatchRef.Direction.SIDECAR_INBOUND)) {
      return;
    }
    for (Map.Entry<String, Message> e : new TreeMap<>(out).entrySet()) {
      Listener l = (Listener) e.getValue();
      if (Matches.of(l, proxy) != PatchRef.Direction.SIDECAR_INBOUND) {
        continue;
      }
      Listener.Builder b = l.toBuilder().clearFilterChains();
      for (FilterChain c : l.getFilterChainsList()) {
        FilterChain.Builder cb = c.toBuilder().clearFilters();
        for (Filter f : c.getFiltersList()) {
          if (f.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRouteConfig()
                && Matches.routeConfiguration(hcm.getRouteConfig(), routeMatch(p), proxy)) {
              hcm =
                  hcm.toBuilder()
                      .setRouteConfig(routeConfiguration(hcm.getRouteConfig(), p))
                      .build();
              f = f.toBuilder().setTypedConfig(Any.pack(hcm)).build();
            }
          }
          cb.addFilters(f);
        }
        b.addFilterChains(cb);
      }
      out.put(e.getKey(), b.build());
    }
  }

  private static RouteConfigurationMatch routeMatch(PatchRef p) {
    return p.spec().match() == null ? null : p.spec().match().routeConfiguration();
  }

  /** A ROUTE_CONFIGURATION, VIRTUAL_HOST or HTTP_ROUTE patch on one matched configuration. */
  private static RouteConfiguration routeConfiguration(RouteConfiguration rc, PatchRef p)
      throws InvalidProtocolBufferException {
    RouteConfigurationMatch match = routeMatch(p);
    EnvoyFilter.VirtualHostMatch vm = match == null ? null : match.vhost();
    if (p.applyTo() == ApplyTo.ROUTE_CONFIGURATION) {
      boolean merge =
          p.operation() == Operation.MERGE || p.operation() == Operation.MERGE_AND_REPLACE_LIST;
      return merge ? EnvoyFilters.merge(rc, p, RouteConfiguration.getDefaultInstance()) : rc;
    }
    if (p.applyTo() == ApplyTo.VIRTUAL_HOST) {
      VirtualHost value =
          p.value() == null
              ? null
              : EnvoyFilters.VALUES.parse(p.value(), VirtualHost.getDefaultInstance());
      List<VirtualHost> hosts =
          ListOps.apply(
              rc.getVirtualHostsList(),
              vm == null || p.operation() == Operation.ADD ? null : v -> Matches.virtualHost(v, vm),
              p.operation(),
              value,
              v -> EnvoyFilters.merge(v, value, p));
      return rc.toBuilder().clearVirtualHosts().addAllVirtualHosts(hosts).build();
    }
    Route value =
        p.value() == null ? null : EnvoyFilters.VALUES.parse(p.value(), Route.getDefaultInstance());
    EnvoyFilter.RouteMatch rm = vm == null ? null : vm.route();
    List<VirtualHost> hosts = new ArrayList<>();
    for (VirtualHost v : rc.getVirtualHostsList()) {
      if (!Matches.virtualHost(v, vm)) {
        hosts.add(v);
        continue;
      }
      List<Route> routes =
          ListOps.apply(
              v.getRoutesList(),
              rm == null ? null : r -> Matches.route(r, rm),
              p.operation(),
              value,
              r -> EnvoyFilters.merge(r, value, p));
      hosts.add(v.toBuilder().clearRoutes().addAllRoutes(routes).build());
    }
    return rc.toBuilder().clearVirtualHosts().addAllVirtualHosts(hosts).build();
  }
}
