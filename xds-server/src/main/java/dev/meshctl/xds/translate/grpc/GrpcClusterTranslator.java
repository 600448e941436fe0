package dev.meshctl.xds.translate.grpc;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.names.ResourceNames.Direction;
import dev.meshctl.xds.translate.common.EdsClusters;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds the clusters of proxyless gRPC: plain EDS clusters over ADS with round robin, named like
 * Envoy's ({@code outbound|port|subset|fqdn}) so the shared EDS output serves both. No TLS, circuit
 * breaking or outlier detection yet (they come with DestinationRules and the CA); grpc ignores
 * {@code connect_timeout} but it is set so the resource reads the same as a sidecar's. The result
 * does not depend on the proxy, so callers may memoise it per push. Pure; any thread.
 */
final class GrpcClusterTranslator {
  private GrpcClusterTranslator() {}

  /**
   * The cluster named {@code name}, or empty when it is not an outbound cluster of a known service
   * port. Only the subset-less cluster resolves until DestinationRules define subsets.
   */
  static Optional<Cluster> translate(MeshSnapshot snapshot, String name) {
    Optional<ClusterKey> key = ResourceNames.parseCluster(name);
    if (key.isEmpty()
        || key.get().direction() != Direction.OUTBOUND
        || !key.get().subset().isEmpty()) {
      return Optional.empty();
    }
    Optional<Service> service = snapshot.services().byHost(key.get().host());
    if (service.isEmpty()
        || service.get().ports().stream().noneMatch(p -> p.port() == key.get().port())) {
      return Optional.empty();
    }
    return Optional.of(cluster(snapshot, name));
  }

  /** Every default outbound cluster of the mesh, by name: the answer to a wildcard request. */
  static SortedSet<String> allNames(MeshSnapshot snapshot) {
    SortedSet<String> out = new TreeSet<>();
    String suffix = snapshot.mesh().domainSuffix();
    for (Service s : snapshot.services().all()) {
      for (ServicePort p : s.ports()) {
        out.add(ResourceNames.outboundCluster(p.port(), "", s.hostname(suffix)));
      }
    }
    return out;
  }

  private static Cluster cluster(MeshSnapshot snapshot, String name) {
    return EdsClusters.builder(name, snapshot.mesh().connectTimeout()).build();
  }
}
