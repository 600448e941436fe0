package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.routes.RouteContext;
import dev.meshctl.xds.translate.routes.RoutePolicies;
import dev.meshctl.xds.translate.routes.RouteTarget;
import dev.meshctl.xds.translate.routes.VirtualServiceRoutes;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a sidecar's outbound route configs (RDS) as istiod does without VirtualServices: {@code
 * "<port>"} for every HTTP service port (shared by the {@code 0.0.0.0_<port>} listener) and {@code
 * "<host>:<port>"} for every sniffed port (its own VIP listener). Each has one virtual host per
 * service and a final catch-all. Also builds the inline inbound route configs. VirtualService
 * routes ({@link VirtualServiceRoutes}) replace {@link #defaultRoute} for the hosts they bind.
 * Pure; any thread.
 */
public final class RouteTranslator {
  /** Istio's default retry conditions (route/retry/retry.go). */
  static final String DEFAULT_RETRY_ON = RoutePolicies.DEFAULT_RETRY_ON;

  private static final Duration ZERO = Duration.getDefaultInstance();

  private RouteTranslator() {}

  /** Every outbound route config of the scope, ordered by name. */
  public static List<RouteConfiguration> translate(SidecarScope scope) {
    // Port number -> services with an HTTP port there, in host order.
    Map<Integer, List<Service>> httpPorts = new TreeMap<>();
    List<RouteConfiguration> out = new ArrayList<>();
    for (Service service : scope.services()) {
      for (ServicePort port : service.ports()) {
        // A port owned by a Sidecar egress listener serves only that listener's hosts, with the
        // listener's protocol.
        var owner = scope.portListener(port.port());
        if (owner.isPresent()
            ? !scope.imports(owner.get(), service)
            : !scope.importedByCatchAll(service)) {
          continue;
        }
        ListenerProtocol lp =
            owner.isPresent()
                ? ListenerProtocol.of(
                    Protocol.parse(
                        owner.get().port().protocol() == null ? "" : owner.get().port().protocol()))
                : ListenerProtocol.of(port.protocol());
        if (lp == ListenerProtocol.HTTP) {
          httpPorts.computeIfAbsent(port.port(), p -> new ArrayList<>()).add(service);
        } else if (lp == ListenerProtocol.AUTO) {
          String name = ResourceNames.hostPort(scope.host(service), port.port());
          out.add(routeConfig(scope, name, List.of(virtualHost(scope, service, port.port()))));
        }
      }
    }
    httpPorts.forEach(
        (port, services) -> {
          List<VirtualHost> vhosts = new ArrayList<>();
          for (Service s : services) {
            vhosts.add(virtualHost(scope, s, port));
          }
          if (port == VirtualServiceOnlyHosts.PORT) {
            vhosts.addAll(VirtualServiceOnlyHosts.virtualHosts(scope));
          }
          out.add(routeConfig(scope, ResourceNames.httpRouteConfig(port), vhosts));
        });
    out.sort(java.util.Comparator.comparing(RouteConfiguration::getName));
    return out;
  }

  private static RouteConfiguration routeConfig(
      SidecarScope scope, String name, List<VirtualHost> vhosts) {
    List<VirtualHost> sorted = new ArrayList<>(vhosts);
    sorted.sort(java.util.Comparator.comparing(VirtualHost::getName));
    // Envoy rejects a domain in two virtual hosts of one config: the first by name keeps it.
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<VirtualHost> unique = new ArrayList<>();
    for (VirtualHost v : sorted) {
      List<String> own = v.getDomainsList().stream().filter(seen::add).toList();
      if (!own.isEmpty()) {
        unique.add(v.toBuilder().clearDomains().addAllDomains(own).build());
      }
    }
    sorted = unique;
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addAllVirtualHosts(sorted)
        .addVirtualHosts(catchAll(scope))
        // Clusters come and go with services; a missing one must not reject the whole config.
        .setValidateClusters(BoolValue.of(false))
        // Domains carry no ports, so "reviews:9080" and "reviews" both match.
        .setIgnorePortInHostMatching(true)
        .build();
  }

  /**
   * The virtual host of one service port: the routes of the VirtualServices this proxy sees for the
   * host, or Istio's default route when there are none (or none of their rules applies here).
   */
  static VirtualHost virtualHost(SidecarScope scope, Service service, int port) {
    String host = scope.host(service);
    RouteContext ctx =
        new RouteContext(
            scope.snapshot(),
            service,
            port,
            scope.proxy().namespace(),
            scope.proxy().labels(),
            RouteTarget.ENVOY);
    List<Route> routes =
        VirtualServiceRoutes.translate(
            scope.snapshot().virtualServices().forHost(host, scope.proxy().namespace()), ctx);
    if (routes.isEmpty()) {
      Optional<RouteAction.HashPolicy> hash =
          ctx.hashPolicy(service.id().namespace(), host, "", port);
      Route.Builder d =
          defaultRoute(
              ResourceNames.outboundCluster(port, "", host),
              scope.snapshot().mesh(),
              hash.isPresent())
              .toBuilder();
      hash.ifPresent(h -> d.getRouteBuilder().addHashPolicy(h));
      routes = List.of(d.build());
    }
    TreeSet<String> domains = new TreeSet<>(domains(scope, service));
    // Hosts of the same VirtualServices that are no service are served here too (Istio's rule).
    domains.addAll(
        VirtualServiceOnlyHosts.extraHosts(
            scope, scope.snapshot().virtualServices().forHost(host, scope.proxy().namespace())));
    return VirtualHost.newBuilder()
        .setName(ResourceNames.hostPort(host, port))
        .addAllDomains(domains)
        .addAllRoutes(routes)
        .build();
  }

  /**
   * The names a client in the proxy's namespace can use for the service: the FQDN, {@code
   * name.ns.svc}, {@code name.ns}, the bare name only from the same namespace (resolv.conf search
   * path), and the VIP. Sorted, so output is stable.
   */
  static List<String> domains(SidecarScope scope, Service service) {
    TreeSet<String> d = new TreeSet<>();
    String host = scope.host(service);
    d.add(host);
    // Short forms exist for every host in the cluster domain, Kubernetes Service or ServiceEntry.
    String suffix = ".svc." + scope.domainSuffix();
    if (host.endsWith(suffix)) {
      String nameNs = host.substring(0, host.length() - scope.domainSuffix().length() - 5);
      int dot = nameNs.lastIndexOf('.');
      if (dot > 0) {
        String name = nameNs.substring(0, dot);
        String ns = nameNs.substring(dot + 1);
        d.add(name + "." + ns + ".svc");
        d.add(name + "." + ns);
        if (ns.equals(scope.proxy().namespace())) {
          d.add(name);
        }
      }
    }
    if (!service.vip().isEmpty()) {
      d.add(service.vip());
    }
    for (String address : service.attributes().addresses()) {
      if (address.indexOf('/') < 0) {
        d.add(address);
      }
    }
    return new ArrayList<>(d);
  }

  /**
   * Istio's route with no VirtualService: everything to the service's cluster, retried by the
   * mesh's default policy ({@code hashed}: the route picks endpoints by hash).
   */
  static Route defaultRoute(String cluster, MeshConfig mesh, boolean hashed) {
    RouteAction.Builder action = routeAction(cluster);
    RoutePolicies.meshDefault(mesh, hashed).ifPresent(action::setRetryPolicy);
    return Route.newBuilder()
        .setName(ResourceNames.DEFAULT_ROUTE)
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(action)
        .build();
  }

  /**
   * Timeout 0 disables Envoy's 15 s default (Istio's default); {@code grpc_timeout_header_max} 0
   * lets a gRPC client's {@code grpc-timeout} header bound the stream instead.
   */
  private static RouteAction.Builder routeAction(String cluster) {
    return RouteAction.newBuilder()
        .setCluster(cluster)
        .setTimeout(ZERO)
        .setMaxStreamDuration(
            RouteAction.MaxStreamDuration.newBuilder()
                .setMaxStreamDuration(ZERO)
                .setGrpcTimeoutHeaderMax(ZERO));
  }

  /** {@code allow_any} to PassthroughCluster, or {@code block_all} (502) under REGISTRY_ONLY. */
  static VirtualHost catchAll(SidecarScope scope) {
    if (scope.catchAllCluster().equals(ResourceNames.BLACKHOLE_CLUSTER)) {
      return VirtualHost.newBuilder()
          .setName(ResourceNames.BLOCK_ALL_VHOST)
          .addDomains("*")
          .addRoutes(
              Route.newBuilder()
                  .setName(ResourceNames.BLOCK_ALL_ROUTE)
                  .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                  .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502)))
          .build();
    }
    return VirtualHost.newBuilder()
        .setName(ResourceNames.ALLOW_ANY_VHOST)
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName(ResourceNames.ALLOW_ANY_ROUTE)
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(routeAction(ResourceNames.PASSTHROUGH_CLUSTER)))
        .build();
  }

  /**
   * The inline route config of an inbound HTTP chain: named after its cluster, one vhost {@code
   * inbound|http|<port>} matching any host, route {@code default} to the cluster. No retries: the
   * caller's sidecar already retried.
   */
  static RouteConfiguration inbound(String cluster, int port) {
    return RouteConfiguration.newBuilder()
        .setName(cluster)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(ResourceNames.inboundHttpVirtualHost(port))
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setName(ResourceNames.DEFAULT_ROUTE)
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(routeAction(cluster))))
        .setValidateClusters(BoolValue.of(false))
        .build();
  }
}
