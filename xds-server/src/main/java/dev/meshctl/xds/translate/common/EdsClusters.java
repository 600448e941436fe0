package dev.meshctl.xds.translate.common;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/**
 * The base of every outbound service cluster: an EDS cluster whose endpoints come over ADS under
 * the cluster's own name (so EDS, which is the same for sidecars and proxyless gRPC, serves both).
 * Callers add traffic policy on the returned builder. Stateless; any thread.
 */
public final class EdsClusters {
  private EdsClusters() {}

  /**
   * {@code type: EDS}, {@code eds_cluster_config { eds_config: ADS, service_name: name }}, {@code
   * lb_policy: ROUND_ROBIN}, {@code connect_timeout}.
   *
   * @param name the cluster name, also the EDS resource name
   * @param connectTimeout the mesh's connect timeout; must not be negative
   */
  public static Cluster.Builder builder(String name, java.time.Duration connectTimeout) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(ConfigSources.ads())
                // Explicit even though it equals the cluster name: grpc requires it for xdstp
                // names, and it keeps EDS naming independent of any later alt_stat_name use.
                .setServiceName(name))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .setConnectTimeout(duration(connectTimeout));
  }

  private static com.google.protobuf.Duration duration(java.time.Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }
}
