package dev.meshctl.xds.translate.gateway;

import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SNI-DNAT clusters of a gateway with AUTO_PASSTHROUGH servers, as Istio builds them for
 * east-west gateways: for each outbound service cluster ({@code outbound|9080|v1|reviews...}) whose
 * host one of those servers' hosts covers, a copy named in the SNI form ({@code
 * outbound_.9080_.v1_.reviews...}), which is what a sidecar's mTLS SNI says and hence what {@code
 * sni_cluster} picks. The copy keeps the EDS {@code service_name} of the original, so endpoints
 * come from the shared EDS unchanged, and drops the upstream TLS: the client's mTLS goes through
 * untouched. Original-destination clusters (headless services) are skipped: their destination would
 * be the gateway itself. Pure; any thread.
 */
public final class GatewaySniClusters {
  private GatewaySniClusters() {}

  /**
   * The SNI-DNAT copies of {@code outbound} for the merged gateway; empty without AUTO_PASSTHROUGH.
   */
  public static List<Cluster> of(MergedGateway mg, List<Cluster> outbound) {
    List<String> hosts = new ArrayList<>();
    for (MergedGateway.Listener l : mg.listeners().values()) {
      for (GatewayServer s : l.servers()) {
        if (s.autoPassthrough()) {
          hosts.addAll(s.plainHosts());
        }
      }
    }
    List<Cluster> out = new ArrayList<>();
    if (hosts.isEmpty()) {
      return out;
    }
    for (Cluster c : outbound) {
      Optional<ClusterKey> key = ResourceNames.parseCluster(c.getName());
      if (key.isEmpty()
          || key.get().direction() != ResourceNames.Direction.OUTBOUND
          || c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
        continue;
      }
      ClusterKey k = key.get();
      if (hosts.stream().noneMatch(h -> IstioHosts.matches(h, k.host()))) {
        continue;
      }
      out.add(sniCopy(c, ResourceNames.outboundSni(k.port(), k.subset(), k.host())));
    }
    return out;
  }

  private static Cluster sniCopy(Cluster c, String name) {
    Cluster.Builder b =
        c.toBuilder()
            .setName(name)
            .setAltStatName(ResourceNames.statPrefix(name))
            .clearTransportSocket()
            .clearTransportSocketMatches();
    if (c.getType() == Cluster.DiscoveryType.EDS
        && c.getEdsClusterConfig().getServiceName().isEmpty()) {
      b.getEdsClusterConfigBuilder().setServiceName(c.getName());
    }
    return b.build();
  }
}
