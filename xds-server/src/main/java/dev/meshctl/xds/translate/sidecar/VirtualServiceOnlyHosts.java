package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServiceAttributes;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.routes.RouteContext;
import dev.meshctl.xds.translate.routes.RouteTarget;
import dev.meshctl.xds.translate.routes.VirtualServiceRoutes;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Virtual hosts for the hosts of mesh VirtualServices that name no service the sidecar sees (e.g.
 * {@code headers.test.istio.io} routed to other services, or an external host sent through the
 * egress gateway without a ServiceEntry). Istio serves them on the route configuration of port
 * {@value #PORT} only, since without a service there is no port to infer; a client reaches them
 * through the {@code 0.0.0.0_80} listener. A VirtualService is used when it is exported to the
 * proxy's namespace and, when a Sidecar with egress hosts applies, imported by one of them. When a
 * VirtualService also names a service, its other hosts instead join that service's virtual host on
 * the service's ports ({@link #extraHosts}). Pure; any thread.
 */
final class VirtualServiceOnlyHosts {
  /** The only port such hosts are served on (Istio's rule). */
  static final int PORT = 80;

  private VirtualServiceOnlyHosts() {}

  /** The virtual hosts, ordered by host; empty when every VirtualService host is a service. */
  static List<VirtualHost> virtualHosts(SidecarScope scope) {
    String suffix = scope.domainSuffix();
    String ns = scope.proxy().namespace();
    Optional<Sidecar> sidecar =
        scope
            .snapshot()
            .sidecars()
            .forProxy(ns, scope.proxy().labels())
            .map(c -> c.spec(Sidecar.class));
    List<VirtualHost> out = new ArrayList<>();
    for (String host : scope.snapshot().virtualServices().byHost().keySet()) {
      if (isService(scope, host)) {
        continue;
      }
      List<IstioConfig> configs = new ArrayList<>();
      for (IstioConfig c : scope.snapshot().virtualServices().forHost(host, ns)) {
        // A VirtualService that also names a service is served on that service's ports instead.
        if (imported(sidecar, ns, c.namespace(), host) && !namesService(scope, c)) {
          configs.add(c);
        }
      }
      if (configs.isEmpty()) {
        continue;
      }
      Service placeholder =
          new Service(
              NamespacedName.of(configs.get(0).namespace(), host),
              Map.of(),
              Map.of(),
              "",
              List.of(ServicePort.of("http", PORT)),
              new ServiceAttributes(host, null, true, List.of(), List.of(), List.of(), null));
      RouteContext ctx =
          new RouteContext(
              scope.snapshot(), placeholder, PORT, ns, scope.proxy().labels(), RouteTarget.ENVOY);
      List<Route> routes = VirtualServiceRoutes.translate(configs, ctx);
      if (routes.isEmpty()) {
        continue; // no rule applies to this proxy (sourceLabels, sourceNamespace, port)
      }
      out.add(
          VirtualHost.newBuilder()
              .setName(ResourceNames.hostPort(host, PORT))
              .addDomains(host)
              .addAllRoutes(routes)
              .build());
    }
    return out;
  }

  /**
   * The hosts of {@code configs} (the VirtualServices routing a service) that are no service: they
   * join that service's virtual host, as Istio adds them.
   */
  static List<String> extraHosts(SidecarScope scope, List<IstioConfig> configs) {
    List<String> out = new ArrayList<>();
    for (IstioConfig c : configs) {
      for (String h : c.spec(VirtualService.class).hosts()) {
        String host = IstioHosts.resolve(h, c.namespace(), scope.domainSuffix());
        if (!isService(scope, host)) {
          out.add(host);
        }
      }
    }
    return out;
  }

  private static boolean namesService(SidecarScope scope, IstioConfig c) {
    for (String h : c.spec(VirtualService.class).hosts()) {
      if (isService(scope, IstioHosts.resolve(h, c.namespace(), scope.domainSuffix()))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code host} (exact or wildcard) is, or covers, a service the sidecar sees. */
  private static boolean isService(SidecarScope scope, String host) {
    for (Service s : scope.services()) {
      String h = scope.host(s);
      if (h.equals(host) || (IstioHosts.isWildcard(host) && IstioHosts.matches(host, h))) {
        return true;
      }
    }
    return false;
  }

  private static boolean imported(
      Optional<Sidecar> sidecar, String proxyNamespace, String vsNamespace, String host) {
    if (sidecar.isEmpty() || sidecar.get().egress() == null || sidecar.get().egress().isEmpty()) {
      return true;
    }
    for (Sidecar.EgressListener l : sidecar.get().egress()) {
      for (String spec : l.hosts() == null ? List.<String>of() : l.hosts()) {
        if (SidecarEgress.matches(spec, proxyNamespace, vsNamespace, host)) {
          return true;
        }
      }
    }
    return false;
  }
}
