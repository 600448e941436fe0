package dev.meshctl.xds.translate.endpoint;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.model.TrafficDistribution;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.names.ResourceNames.Direction;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the {@link ClusterLoadAssignment} of an outbound EDS cluster ({@code
 * outbound|port|subset|host}) from the snapshot. The same for every proxy, sidecar or proxyless, so
 * callers memoise it per push. Only ready endpoints are sent (not-ready ones too, as unhealthy, for
 * a service with a traffic distribution preference); endpoints are grouped by locality, each
 * carrying its weight (1 unless a ServiceEntry endpoint says otherwise) and each locality the sum
 * of its endpoints' weights (gRPC ignores localities of weight 0). {@code unix://} addresses become
 * pipes. Endpoints whose pod has label {@code security.istio.io/tlsMode=istio} carry metadata
 * {@code envoy.transport_socket_match: {tlsMode: istio}}, which auto-mTLS clusters match. Also
 * builds the inline assignment of DNS clusters. Pure; any thread.
 */
public final class EndpointTranslator {
  private EndpointTranslator() {}

  /**
   * The assignment for {@code clusterName}, or empty when the name is not an outbound service
   * cluster of a known service and port.
   */
  public static Optional<ClusterLoadAssignment> translate(
      MeshSnapshot snapshot, String clusterName, SubsetSelector subsets) {
    return translate(snapshot, clusterName, subsets, null);
  }

  /**
   * As {@link #translate(MeshSnapshot, String, SubsetSelector)}, as one proxy sees it: {@code view}
   * (null: none) applies locality load balancing ({@link LocalityLb}) to the locality groups.
   */
  public static Optional<ClusterLoadAssignment> translate(
      MeshSnapshot snapshot, String clusterName, SubsetSelector subsets, LocalityLb.View view) {
    Optional<ClusterKey> parsed = ResourceNames.parseCluster(clusterName);
    if (parsed.isEmpty() || parsed.get().direction() != Direction.OUTBOUND) {
      return Optional.empty();
    }
    ClusterKey key = parsed.get();
    Optional<Service> service = snapshot.services().byHost(key.host());
    if (service.isEmpty()) {
      return Optional.empty();
    }
    Optional<ServicePort> port =
        service.get().ports().stream().filter(p -> p.port() == key.port()).findFirst();
    if (port.isEmpty()) {
      return Optional.empty();
    }
    Optional<Map<String, String>> subsetLabels =
        key.subset().isEmpty()
            ? Optional.of(Map.of())
            : subsets.labels(service.get(), key.subset());
    if (subsetLabels.isEmpty()) {
      return Optional.empty();
    }
    // A service preferring nearby endpoints fails over by endpoint health (no outlier detection),
    // so its not-ready endpoints are sent too, marked unhealthy, as Istio does.
    boolean sendUnhealthy =
        service.get().attributes().trafficDistribution() != TrafficDistribution.ANY;
    Map<Locality, List<MeshEndpoint>> byLocality = new TreeMap<>(LOCALITY_ORDER);
    for (MeshEndpoint e : snapshot.endpoints().endpoints(service.get().id(), key.port())) {
      if ((e.ready() || sendUnhealthy)
          && e.labels().entrySet().containsAll(subsetLabels.get().entrySet())) {
        byLocality.computeIfAbsent(e.locality(), l -> new ArrayList<>()).add(e);
      }
    }
    List<LocalityLb.Group> groups = new ArrayList<>();
    byLocality.forEach(
        (locality, endpoints) ->
            groups.add(
                new LocalityLb.Group(
                    locality,
                    endpoints,
                    endpoints.stream().mapToInt(MeshEndpoint::weight).sum(),
                    0)));
    List<LocalityLb.Group> seen =
        view == null || groups.isEmpty()
            ? groups
            : LocalityLb.apply(groups, view, e -> LocalityViews.endpointLabels(snapshot, e));
    ClusterLoadAssignment.Builder cla =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    for (LocalityLb.Group g : seen) {
      LocalityLbEndpoints.Builder group =
          LocalityLbEndpoints.newBuilder()
              .setLoadBalancingWeight(UInt32Value.of(g.weight()))
              .setPriority(g.priority());
      if (!g.locality().isUnknown()) {
        group.setLocality(
            io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                .setRegion(g.locality().region())
                .setZone(g.locality().zone())
                .setSubZone(g.locality().subZone()));
      }
      for (MeshEndpoint e : g.endpoints()) {
        group.addLbEndpoints(lbEndpoint(e));
      }
      cla.addEndpoints(group);
    }
    return Optional.of(cla.build());
  }

  /** Metadata of endpoints with a sidecar: auto-mTLS clusters match it to choose mutual TLS. */
  private static final Metadata ISTIO_TLS_MODE =
      Metadata.newBuilder()
          .putFilterMetadata(
              ResourceNames.TRANSPORT_SOCKET_MATCH_METADATA,
              Struct.newBuilder()
                  .putFields(
                      ResourceNames.TLS_MODE_KEY,
                      Value.newBuilder().setStringValue(ResourceNames.TLS_MODE_ISTIO).build())
                  .build())
          .build();

  private static LbEndpoint lbEndpoint(MeshEndpoint e) {
    Address.Builder address = Address.newBuilder();
    if (e.address().startsWith(UNIX_PREFIX)) {
      address.setPipe(
          io.envoyproxy.envoy.config.core.v3.Pipe.newBuilder()
              .setPath(e.address().substring(UNIX_PREFIX.length())));
    } else {
      address.setSocketAddress(
          SocketAddress.newBuilder().setAddress(e.address()).setPortValue(e.port()));
    }
    LbEndpoint.Builder b = LbEndpoint.newBuilder();
    if (ResourceNames.TLS_MODE_ISTIO.equals(e.labels().get(ResourceNames.TLS_MODE_LABEL))) {
      b.setMetadata(ISTIO_TLS_MODE);
    }
    return b.setHealthStatus(e.ready() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY)
        .setLoadBalancingWeight(UInt32Value.of(e.weight()))
        .setEndpoint(Endpoint.newBuilder().setAddress(address))
        .build();
  }

  /** ServiceEntry endpoints on a Unix domain socket: {@code unix:///path}. */
  private static final String UNIX_PREFIX = "unix://";

  private static final java.util.Comparator<Locality> LOCALITY_ORDER =
      java.util.Comparator.comparing(Locality::region)
          .thenComparing(Locality::zone)
          .thenComparing(Locality::subZone);

  /**
   * Resolves a subset name of a service to its labels (from a DestinationRule), or empty when the
   * service has no such subset. {@link #NONE} knows no subset.
   */
  @FunctionalInterface
  public interface SubsetSelector {
    Optional<Map<String, String>> labels(Service service, String subset);

    SubsetSelector NONE = (service, subset) -> Optional.empty();
  }
}
