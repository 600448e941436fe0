package dev.meshctl.xds.translate.grpc;

import com.google.protobuf.UInt64Value;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsMode;
import dev.meshctl.crds.networking.DestinationRule.ConsistentHash;
import dev.meshctl.crds.networking.DestinationRule.Maglev;
import dev.meshctl.crds.networking.DestinationRule.RingHash;
import dev.meshctl.crds.networking.DestinationRule.Simple;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.names.ResourceNames.Direction;
import dev.meshctl.xds.translate.common.EdsClusters;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds the clusters of proxyless gRPC: EDS clusters over ADS named like Envoy's ({@code
 * outbound|port|subset|fqdn}) so the shared EDS output serves both, plus one subset cluster per
 * subset of the DestinationRule the client's namespace sees. Of a DestinationRule's traffic policy
 * only what grpc implements is sent:
 *
 * <ul>
 *   <li>load balancer: ROUND_ROBIN (also the default: grpc's, not Envoy's LEAST_REQUEST),
 *       LEAST_REQUEST, consistent hash as RING_HASH. MAGLEV is omitted (grpc NACKs the whole CDS
 *       response), RANDOM and PASSTHROUGH too (grpc has neither): those clusters round-robin.
 *   <li>circuit breaking: {@code http2MaxRequests} as {@code max_requests} (gRFC A32), nothing
 *       else.
 *   <li>outlier detection: omitted. grpc implements only success-rate and failure-percentage
 *       ejection (gRFC A50); Istio's API expresses consecutive-error ejection, which grpc would
 *       accept and ignore, so sending it would only pretend.
 * </ul>
 *
 * <p>TLS: {@code ISTIO_MUTUAL} (from the rule, its port-level settings, the subset) gives the
 * cluster an {@code UpstreamTlsContext} over grpc's certificate provider (see {@link GrpcTls}),
 * checking the destination's SPIFFE identities. Every other mode, and no DestinationRule, is
 * plaintext: SIMPLE and MUTUAL would need files grpc cannot fetch over xDS, and there is no
 * auto-mTLS (as in Istio's grpcgen): grpc rejects {@code transport_socket_matches}, so the choice
 * could not follow each endpoint, and a client built without xDS credentials would silently ignore
 * it.
 *
 * <p>grpc ignores {@code connect_timeout} but it is set so the resource reads the same as a
 * sidecar's. Pure; any thread.
 */
final class GrpcClusterTranslator {
  /** Istio's default ring size for consistent hashing. */
  private static final long DEFAULT_MINIMUM_RING_SIZE = 1024;

  private GrpcClusterTranslator() {}

  /**
   * The cluster named {@code name} as a client in {@code namespace} with {@code labels} sees it
   * (labels choose among DestinationRules with a workload selector), or empty when it is not an
   * outbound cluster of a known service port (and, for a subset, a subset the visible
   * DestinationRule defines).
   */
  static Optional<Cluster> translate(
      MeshSnapshot snapshot, String namespace, Map<String, String> labels, String name) {
    Optional<ClusterKey> key = ResourceNames.parseCluster(name);
    if (key.isEmpty() || key.get().direction() != Direction.OUTBOUND) {
      return Optional.empty();
    }
    Optional<Service> service = snapshot.services().byHost(key.get().host());
    if (service.isEmpty()
        || service.get().ports().stream().noneMatch(p -> p.port() == key.get().port())) {
      return Optional.empty();
    }
    Optional<DestinationRule> rule =
        TrafficPolicy.ruleFor(snapshot, service.get(), namespace, labels);
    String subset = key.get().subset();
    if (!subset.isEmpty()
        && (rule.isEmpty() || TrafficPolicy.subset(rule.get(), subset).isEmpty())) {
      return Optional.empty();
    }
    Cluster.Builder c = EdsClusters.builder(name, snapshot.mesh().connectTimeout());
    rule.ifPresent(r -> apply(c, TrafficPolicy.of(r, subset, key.get().port())));
    if (rule.flatMap(r -> GrpcTls.clientMode(r, subset, key.get().port()))
        .filter(m -> m == ClientTlsMode.ISTIO_MUTUAL)
        .isPresent()) {
      c.setTransportSocket(
          GrpcTls.upstream(GrpcTls.serviceAccounts(snapshot, service.get(), key.get().port())));
    }
    return Optional.of(c.build());
  }

  /** Every outbound cluster a client in {@code namespace} can use: the answer to a wildcard. */
  static SortedSet<String> allNames(MeshSnapshot snapshot, String namespace) {
    SortedSet<String> out = new TreeSet<>();
    String suffix = snapshot.mesh().domainSuffix();
    for (Service s : snapshot.services().all()) {
      Optional<DestinationRule> rule = TrafficPolicy.ruleFor(snapshot, s, namespace);
      for (ServicePort p : s.ports()) {
        out.add(ResourceNames.outboundCluster(p.port(), "", s.hostname(suffix)));
        rule.ifPresent(
            r ->
                r.subsets()
                    .forEach(
                        sub ->
                            out.add(
                                ResourceNames.outboundCluster(
                                    p.port(), sub.name(), s.hostname(suffix)))));
      }
    }
    return out;
  }

  private static void apply(Cluster.Builder c, TrafficPolicy policy) {
    if (policy.loadBalancer() != null) {
      if (policy.loadBalancer().lbPolicy() instanceof Simple s && s.simple() != null) {
        switch (s.simple()) {
          case LEAST_REQUEST, LEAST_CONN -> c.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
          // ROUND_ROBIN is already set; RANDOM and PASSTHROUGH do not exist in grpc.
          default -> {}
        }
      } else if (policy.loadBalancer().lbPolicy() instanceof ConsistentHash ch
          && ch.consistentHash() != null
          && !(ch.consistentHash().hashAlgorithm() instanceof Maglev)) {
        long size = DEFAULT_MINIMUM_RING_SIZE;
        if (ch.consistentHash().hashAlgorithm() instanceof RingHash r
            && r.ringHash() != null
            && r.ringHash().minimumRingSize() != null
            && r.ringHash().minimumRingSize() > 0) {
          size = r.ringHash().minimumRingSize();
        } else if (ch.consistentHash().minimumRingSize() != null
            && ch.consistentHash().minimumRingSize() > 0) {
          size = ch.consistentHash().minimumRingSize();
        }
        c.setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(size)));
      }
    }
  }
}
