package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;

/**
 * The inbound cluster of a Sidecar {@code ingress} listener with a {@code defaultEndpoint}: a
 * STATIC cluster to that endpoint, as Istio builds it. {@code 127.0.0.1:<port>} is used as written;
 * {@code 0.0.0.0:<port>} means the workload's own IP (reached with the 127.0.0.6 source bind, like
 * every inbound connection to the pod IP); {@code unix:///path} becomes a pipe. Pure; any thread.
 */
final class SidecarIngress {
  private static final String UNIX = "unix://";
  private static final String ANY_PREFIX = "0.0.0.0:";

  private SidecarIngress() {}

  static Cluster.Builder cluster(SidecarScope scope, String name, String defaultEndpoint) {
    Cluster.Builder c =
        ClusterTranslator.base(name, Cluster.DiscoveryType.STATIC, scope.mesh())
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    Address.Builder address = Address.newBuilder();
    if (defaultEndpoint.startsWith(UNIX)) {
      address.setPipe(Pipe.newBuilder().setPath(defaultEndpoint.substring(UNIX.length())));
    } else {
      int colon = defaultEndpoint.lastIndexOf(':');
      String host = colon < 0 ? defaultEndpoint : defaultEndpoint.substring(0, colon);
      int port = colon < 0 ? 0 : parsePort(defaultEndpoint.substring(colon + 1));
      if (defaultEndpoint.startsWith(ANY_PREFIX)) {
        host = scope.proxy().primaryIp();
        c.setUpstreamBindConfig(ClusterTranslator.inboundBind());
      }
      address.setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port));
    }
    c.setLoadAssignment(
        ClusterLoadAssignment.newBuilder()
            .setClusterName(name)
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(Endpoint.newBuilder().setAddress(address))
                            .setLoadBalancingWeight(UInt32Value.of(1)))));
    return c;
  }

  /** Validation guarantees a port; a malformed one gives port 0, which Envoy rejects loudly. */
  private static int parsePort(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
