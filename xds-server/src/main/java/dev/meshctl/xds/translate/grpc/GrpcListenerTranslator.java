package dev.meshctl.xds.translate.grpc;

import com.google.common.net.HostAndPort;
import com.google.protobuf.Any;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.GrpcServerAddress;
import dev.meshctl.xds.translate.common.ConfigSources;
import dev.meshctl.xds.translate.common.HttpFilters;
import dev.meshctl.xds.translate.security.authz.RbacBuilder;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the listeners of proxyless gRPC, one per requested name:
 *
 * <ul>
 *   <li>a <b>client</b> listener for a dial target {@code host:port}: an {@code api_listener} whose
 *       HTTP connection manager fetches route config {@code outbound|port||fqdn} over ADS;
 *   <li>a <b>server</b> listener for {@code xds.istio.io/grpc/lds/inbound/<ip>:<port>}, the name an
 *       xDS-enabled grpc server derives from its bound address.
 * </ul>
 *
 * <p>grpc-java NACKs a whole LDS response when one listener breaks its rules, so everything here
 * stays inside what its {@code XdsListenerResource} accepts: the last HTTP filter is the router and
 * no other is terminal; server listeners have no listener filters, no {@code use_original_dst}, a
 * socket address with a numeric port, exactly one HCM per chain and unique chain matches. Pure; any
 * thread.
 */
final class GrpcListenerTranslator {
  private GrpcListenerTranslator() {}

  /**
   * The listener for one requested name, or empty when the name resolves to nothing. {@code
   * namespace} and {@code labels} are the requesting proxy's: client names resolve relative to the
   * namespace, and a server listener's mTLS mode is the workload's PeerAuthentication mode.
   */
  static Optional<Listener> translate(
      MeshSnapshot snapshot, String namespace, Map<String, String> labels, String name) {
    if (name.startsWith(ResourceNames.GRPC_SERVER_LISTENER_PREFIX)) {
      return ResourceNames.parseGrpcServerListener(name)
          .map(
              a ->
                  serverListener(
                      name,
                      a,
                      GrpcTls.serverRequiresMtls(
                          snapshot.peerAuthentications().mode(namespace, labels, a.port()), labels),
                      RbacBuilder.grpcHttpFilters(
                          snapshot.authorizationPolicies().forWorkload(namespace, labels))));
    }
    String clientNamespace = namespace;
    HostAndPort target;
    try {
      target = HostAndPort.fromString(name);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // grpc names the listener after the dial target; without a port we cannot tell which service
    // port (and so which route config) is meant.
    if (!target.hasPort()) {
      return Optional.empty();
    }
    Optional<Service> service =
        ServiceHosts.resolve(snapshot.services(), target.getHost(), clientNamespace);
    if (service.isEmpty()
        || service.get().ports().stream().noneMatch(p -> p.port() == target.getPort())) {
      return Optional.empty();
    }
    return Optional.of(
        clientListener(
            name,
            service.get(),
            service.get().hostname(snapshot.mesh().domainSuffix()),
            target.getPort()));
  }

  /**
   * The client listener named {@code name} for {@code service} on {@code port}; the wildcard path
   * calls it directly to build {@code fqdn:port} listeners without re-resolving.
   */
  static Listener clientListener(String name, Service service, String fqdn, int port) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            // grpc ignores stat_prefix, but Envoy's schema requires one (min_len 1), and every
            // resource we send must pass Envoy's rules.
            .setStatPrefix("outbound_" + ResourceNames.hostPort(fqdn, port))
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(ConfigSources.ads())
                    .setRouteConfigName(ResourceNames.outboundCluster(port, "", fqdn)))
            // Fault before the (terminal) router, as in Istio's sidecar chain, so VirtualService
            // faults can be attached per route later without changing the listener.
            .addHttpFilters(HttpFilters.fault())
            .addHttpFilters(HttpFilters.router())
            .build();
    return Listener.newBuilder()
        .setName(name)
        // grpc ignores the address of an api_listener; Istio fills in the VIP (or 0.0.0.0 when
        // there is none), which keeps config dumps readable.
        .setAddress(socketAddress(service.vip().isEmpty() ? "0.0.0.0" : service.vip(), port))
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  /**
   * The server listener for whatever address the grpc server requested. We do not check that the IP
   * is one of the proxy's: grpc substitutes its bound address into the name (often {@code 0.0.0.0}
   * or {@code 127.0.0.1}, not the pod IP), and XdsServerWrapper rejects a listener whose address
   * differs from the bound one, so echoing the requested address is the only answer that can work.
   * Istio additionally requires a service targeting the port; the mode needs only the workload's
   * namespace and labels, which the proxy states itself, so that check would gain nothing.
   *
   * <p>One filter chain without a match: {@code inbound-mtls} (the workload's certificate, client
   * certificates required and checked against the mesh roots) when {@code mtls}, else {@code
   * inbound-plaintext}. The port is the one grpc bound, i.e. the container port PeerAuthentication
   * port-level settings name.
   */
  private static Listener serverListener(
      String name, GrpcServerAddress address, boolean mtls, List<HttpFilter> authz) {
    RouteConfiguration inbound =
        RouteConfiguration.newBuilder()
            .setName(ResourceNames.GRPC_INBOUND_ROUTE_CONFIG)
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName(ResourceNames.GRPC_INBOUND_VHOST)
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setName(ResourceNames.DEFAULT_ROUTE)
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            // A grpc server routes only to decide which per-route filter
                            // config applies; it never forwards.
                            .setNonForwardingAction(NonForwardingAction.getDefaultInstance())))
            .build();
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("inbound_" + address.port())
            // Inline rather than RDS: fewer round trips before the server can serve, and the
            // route never changes per service.
            .setRouteConfig(inbound)
            // The workload's AuthorizationPolicies, enforced by grpc's RBAC filter.
            .addAllHttpFilters(authz)
            .addHttpFilters(HttpFilters.router())
            .build();
    FilterChain.Builder chain =
        FilterChain.newBuilder()
            .setName(
                mtls
                    ? ResourceNames.GRPC_INBOUND_MTLS_CHAIN
                    : ResourceNames.GRPC_INBOUND_PLAINTEXT_CHAIN)
            .addFilters(
                Filter.newBuilder()
                    .setName(HttpFilters.HTTP_CONNECTION_MANAGER)
                    .setTypedConfig(Any.pack(hcm)));
    if (mtls) {
      chain.setTransportSocket(GrpcTls.downstream());
    }
    return Listener.newBuilder()
        .setName(name)
        .setAddress(socketAddress(address.ip(), address.port()))
        .setTrafficDirection(TrafficDirection.INBOUND)
        .addFilterChains(chain.build())
        .build();
  }

  private static Address socketAddress(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
