package dev.meshctl.xds.translate.routes;

import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.policy.HashPolicies;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the routes of one virtual host depend on: the snapshot, the service and port being
 * routed, the client proxy's namespace and labels (for {@code sourceLabels}, {@code
 * sourceNamespace} and DestinationRule visibility) and who consumes the routes. Immutable.
 *
 * @param snapshot the mesh
 * @param service the service whose virtual host is built
 * @param port the service port (the listener port)
 * @param proxyNamespace the client's namespace
 * @param proxyLabels the client's labels
 * @param target Envoy sidecar or proxyless gRPC
 * @param gateways the names a match's {@code gateways} may use for the proxy being configured:
 *     {@code mesh} for sidecars and proxyless gRPC; {@code ns/name} (and the short name in the
 *     gateway's own namespace) for a gateway
 */
public record RouteContext(
    MeshSnapshot snapshot,
    Service service,
    int port,
    String proxyNamespace,
    Map<String, String> proxyLabels,
    RouteTarget target,
    Set<String> gateways) {

  /** The names of the mesh gateway, which sidecars and proxyless gRPC clients are. */
  public static final Set<String> MESH = Set.of("mesh");

  public RouteContext {
    proxyLabels = Map.copyOf(proxyLabels);
    gateways = Set.copyOf(gateways);
  }

  /** A context for a mesh client (sidecar or proxyless gRPC). */
  public RouteContext(
      MeshSnapshot snapshot,
      Service service,
      int port,
      String proxyNamespace,
      Map<String, String> proxyLabels,
      RouteTarget target) {
    this(snapshot, service, port, proxyNamespace, proxyLabels, target, MESH);
  }

  /** True for proxyless gRPC clients. */
  public boolean grpc() {
    return target == RouteTarget.GRPC;
  }

  /** The routed service's FQDN. */
  public String host() {
    return service.hostname(snapshot.mesh().domainSuffix());
  }

  /**
   * The cluster of a destination named in a VirtualService of {@code namespace}: short hosts are
   * resolved there; without an explicit port, a single-port destination service uses its port and
   * anything else the port being routed (Istio's rule).
   */
  public String cluster(String namespace, String host, String subset, Integer port) {
    return ResourceNames.outboundCluster(
        destinationPort(namespace, host, port),
        subset == null ? "" : subset,
        fqdn(namespace, host));
  }

  /** The hash policy of a destination, from the DestinationRule the client sees for it. */
  public Optional<RouteAction.HashPolicy> hashPolicy(
      String namespace, String host, String subset, Integer port) {
    Optional<Service> s = snapshot.services().byHost(fqdn(namespace, host));
    if (s.isEmpty()) {
      return Optional.empty();
    }
    return TrafficPolicy.ruleFor(snapshot, s.get(), proxyNamespace, proxyLabels)
        .flatMap(
            rule ->
                HashPolicies.of(
                    TrafficPolicy.of(
                        rule, subset == null ? "" : subset, destinationPort(namespace, host, port)),
                    grpc()));
  }

  private String fqdn(String namespace, String host) {
    return IstioHosts.resolve(host, namespace, snapshot.mesh().domainSuffix());
  }

  private int destinationPort(String namespace, String host, Integer port) {
    if (port != null && port > 0) {
      return port;
    }
    Optional<Service> s = snapshot.services().byHost(fqdn(namespace, host));
    if (s.isPresent() && s.get().ports().size() == 1) {
      ServicePort only = s.get().ports().get(0);
      return only.port();
    }
    return this.port;
  }
}
