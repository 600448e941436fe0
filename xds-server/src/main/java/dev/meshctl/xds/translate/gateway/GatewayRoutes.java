package dev.meshctl.xds.translate.gateway;

import com.google.protobuf.BoolValue;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.routes.RouteContext;
import dev.meshctl.xds.translate.routes.RouteTarget;
import dev.meshctl.xds.translate.routes.VirtualServiceRoutes;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A gateway proxy's route configs (RDS), one per HTTP route name of the merged gateway. Each
 * VirtualService bound to a server's Gateway contributes, for every host in the intersection of its
 * hosts and the server's hosts (with {@code ns/host} restrictions applied), a virtual host {@code
 * host:<server port>} with domains {@code [host]} whose routes come from {@link
 * VirtualServiceRoutes}; several VirtualServices for one host append their routes in (namespace,
 * name) order. {@code httpsRedirect} sets {@code require_tls: ALL} (Envoy answers 301 to https).
 * Without any virtual host, the config holds {@code blackhole:<port>} matching {@code *} with no
 * routes, so Envoy answers 404. Pure; any thread.
 */
public final class GatewayRoutes {
  private GatewayRoutes() {}

  /** Every route config of the merged gateway, ordered by name. */
  public static List<RouteConfiguration> translate(
      MeshSnapshot snapshot, Proxy proxy, MergedGateway mg) {
    List<RouteConfiguration> out = new ArrayList<>();
    mg.byRouteName()
        .forEach((name, servers) -> out.add(routeConfig(snapshot, proxy, name, servers)));
    return out;
  }

  static RouteConfiguration routeConfig(
      MeshSnapshot snapshot, Proxy proxy, String name, List<GatewayServer> servers) {
    Map<String, VirtualHost.Builder> vhosts = new TreeMap<>();
    for (GatewayServer s : servers) {
      int port = s.server().port().number();
      Set<String> touched = new LinkedHashSet<>();
      for (IstioConfig vs :
          snapshot
              .gateways()
              .virtualServicesFor(s.gateway().namespace(), s.gateway().name(), proxy.namespace())) {
        List<String> hosts = intersect(s, vs);
        if (hosts.isEmpty()) {
          continue;
        }
        List<Route> routes =
            VirtualServiceRoutes.translate(List.of(vs), context(snapshot, proxy, s, vs));
        touched.addAll(hosts);
        for (String h : hosts) {
          vhosts
              .computeIfAbsent(
                  h,
                  k ->
                      VirtualHost.newBuilder()
                          .setName(ResourceNames.hostPort(k, port))
                          .addDomains(k))
              .addAllRoutes(routes);
        }
      }
      if (s.server().tls() != null && Boolean.TRUE.equals(s.server().tls().httpsRedirect())) {
        for (String h : s.plainHosts()) {
          vhosts
              .computeIfAbsent(
                  h,
                  k ->
                      VirtualHost.newBuilder()
                          .setName(ResourceNames.hostPort(k, port))
                          .addDomains(k))
              .setRequireTls(VirtualHost.TlsRequirementType.ALL);
        }
        // Hosts a VirtualService narrowed (server "*", VirtualService "a.example.com") redirect
        // too.
        touched.forEach(h -> vhosts.get(h).setRequireTls(VirtualHost.TlsRequirementType.ALL));
      }
    }
    List<VirtualHost> list = new ArrayList<>();
    vhosts.values().forEach(v -> list.add(v.build()));
    // Exact hosts before wildcards, then by name: a stable order Envoy does not depend on.
    list.sort(
        Comparator.comparing((VirtualHost v) -> IstioHosts.isWildcard(v.getDomains(0)))
            .thenComparing(VirtualHost::getName));
    if (list.isEmpty()) {
      list.add(
          VirtualHost.newBuilder()
              .setName(
                  ResourceNames.gatewayBlackholeVirtualHost(
                      servers.get(0).server().port().number()))
              .addDomains("*")
              .build());
    }
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addAllVirtualHosts(list)
        .setValidateClusters(BoolValue.of(false))
        .setIgnorePortInHostMatching(true)
        .build();
  }

  /**
   * The hosts both the server and the VirtualService accept, the more specific of each matching
   * pair ({@code *} and {@code a.example.com} give {@code a.example.com}), sorted. Server hosts
   * {@code ns/host} only count for VirtualServices in {@code ns} ({@code .} is the Gateway's
   * namespace, {@code *} any).
   */
  static List<String> intersect(GatewayServer s, IstioConfig vs) {
    List<String> serverHosts = new ArrayList<>();
    for (String h : s.server().hosts()) {
      int slash = h.indexOf('/');
      if (slash < 0) {
        serverHosts.add(h.toLowerCase(Locale.ROOT));
        continue;
      }
      String ns = h.substring(0, slash);
      if (ns.equals(".")) {
        ns = s.gateway().namespace();
      }
      if (ns.equals("*") || ns.equals(vs.namespace())) {
        serverHosts.add(h.substring(slash + 1).toLowerCase(Locale.ROOT));
      }
    }
    Set<String> out = new LinkedHashSet<>();
    for (String raw : vs.spec(VirtualService.class).hosts()) {
      String vh = raw.toLowerCase(Locale.ROOT);
      for (String sh : serverHosts) {
        if (IstioHosts.matches(sh, vh)) {
          out.add(vh);
        } else if (IstioHosts.matches(vh, sh)) {
          out.add(sh);
        }
      }
    }
    return out.stream().sorted().toList();
  }

  /**
   * The route context of one VirtualService on one server: the server's port, the gateway proxy's
   * namespace and labels, and the names under which a match's {@code gateways} selects this Gateway
   * ({@code ns/name}, or the short name from the Gateway's own namespace).
   */
  static RouteContext context(MeshSnapshot snapshot, Proxy proxy, GatewayServer s, IstioConfig vs) {
    Set<String> names = new LinkedHashSet<>();
    names.add(s.gatewayName());
    if (vs.namespace().equals(s.gateway().namespace())) {
      names.add(s.gateway().name());
    }
    // Routes read only the snapshot through the context; the service stands for the gateway.
    Service self =
        new Service(
            new NamespacedName(s.gateway().namespace(), s.gateway().name()),
            Map.of(),
            Map.of(),
            "",
            List.of());
    return new RouteContext(
        snapshot,
        self,
        s.server().port().number(),
        proxy.namespace(),
        proxy.labels(),
        RouteTarget.ENVOY,
        names);
  }
}
