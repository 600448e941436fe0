package dev.meshctl.xds.translate.grpc;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.names.ResourceNames.Direction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.Optional;

/**
 * Builds the route config a proxyless gRPC client listener refers to, named like the service's
 * default cluster ({@code outbound|port||fqdn}, as Istio's grpcgen does): one virtual host for that
 * service and port, whose domains cover every authority a client may dial, and its routes. Route
 * timeouts are left unset: grpc reads {@code max_stream_duration}, and Istio's default of no
 * timeout needs nothing. Pure; any thread.
 */
final class GrpcRouteTranslator {
  private GrpcRouteTranslator() {}

  /**
   * The route config named {@code name} as seen from {@code clientNamespace} (the bare service name
   * is a domain only there), or empty when the name is not the default outbound cluster of a known
   * service port.
   */
  static Optional<RouteConfiguration> translate(
      MeshSnapshot snapshot, String clientNamespace, String name) {
    Optional<ClusterKey> key = ResourceNames.parseCluster(name);
    // Client listeners only ever refer to the subset-less name; anything else was not built by us.
    if (key.isEmpty()
        || key.get().direction() != Direction.OUTBOUND
        || !key.get().subset().isEmpty()) {
      return Optional.empty();
    }
    Optional<Service> service = snapshot.services().byHost(key.get().host());
    if (service.isEmpty()) {
      return Optional.empty();
    }
    int port = key.get().port();
    Optional<ServicePort> servicePort =
        service.get().ports().stream().filter(p -> p.port() == port).findFirst();
    if (servicePort.isEmpty()) {
      return Optional.empty();
    }
    String fqdn = key.get().host();
    VirtualHost vhost =
        VirtualHost.newBuilder()
            .setName(ResourceNames.hostPort(fqdn, port))
            .addAllDomains(
                ServiceHosts.domains(
                    service.get(), port, snapshot.mesh().domainSuffix(), clientNamespace))
            .addAllRoutes(routes(fqdn, servicePort.get()))
            .build();
    return Optional.of(
        RouteConfiguration.newBuilder().setName(name).addVirtualHosts(vhost).build());
  }

  /**
   * The routes of one service port. Without a VirtualService that is a single catch-all route to
   * the default cluster; VirtualService translation replaces this list (matches, weighted and
   * subset clusters) and falls back to it when no VirtualService binds the host.
   */
  static List<Route> routes(String fqdn, ServicePort port) {
    return List.of(defaultRoute(fqdn, port.port()));
  }

  private static Route defaultRoute(String fqdn, int port) {
    return Route.newBuilder()
        .setName(ResourceNames.DEFAULT_ROUTE)
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(
            RouteAction.newBuilder().setCluster(ResourceNames.outboundCluster(port, "", fqdn)))
        .build();
  }
}
