package dev.meshctl.xds.translate.grpc;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.names.ResourceNames.Direction;
import dev.meshctl.xds.translate.routes.RouteContext;
import dev.meshctl.xds.translate.routes.RouteTarget;
import dev.meshctl.xds.translate.routes.VirtualServiceRoutes;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.Map;
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
      MeshSnapshot snapshot,
      String clientNamespace,
      Map<String, String> clientLabels,
      String name) {
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
            .addAllRoutes(
                routes(snapshot, service.get(), servicePort.get(), clientNamespace, clientLabels))
            .build();
    return Optional.of(
        RouteConfiguration.newBuilder().setName(name).addVirtualHosts(vhost).build());
  }

  /**
   * The routes of one service port: those of the VirtualServices the client sees for the host,
   * restricted to what grpc implements ({@link RouteTarget#GRPC}); without any, a single catch-all
   * route to the default cluster (with the DestinationRule's hash policy, if it hashes).
   */
  static List<Route> routes(
      MeshSnapshot snapshot,
      Service service,
      ServicePort port,
      String clientNamespace,
      Map<String, String> clientLabels) {
    RouteContext ctx =
        new RouteContext(
            snapshot, service, port.port(), clientNamespace, clientLabels, RouteTarget.GRPC);
    String fqdn = ctx.host();
    List<Route> routes =
        VirtualServiceRoutes.translate(
            snapshot.virtualServices().forHost(fqdn, clientNamespace), ctx);
    if (!routes.isEmpty()) {
      return routes;
    }
    RouteAction.Builder action =
        RouteAction.newBuilder().setCluster(ResourceNames.outboundCluster(port.port(), "", fqdn));
    ctx.hashPolicy(service.id().namespace(), fqdn, "", port.port())
        .ifPresent(action::addHashPolicy);
    return List.of(
        Route.newBuilder()
            .setName(ResourceNames.DEFAULT_ROUTE)
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(action)
            .build());
  }
}
