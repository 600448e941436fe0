package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.Common.H2UpgradePolicy;
import dev.meshctl.crds.networking.Common.HttpSettings;
import dev.meshctl.crds.networking.Common.TcpSettings;
import dev.meshctl.crds.networking.DestinationRule.ConsistentHash;
import dev.meshctl.crds.networking.DestinationRule.ConsistentHashLb;
import dev.meshctl.crds.networking.DestinationRule.LbPolicy;
import dev.meshctl.crds.networking.DestinationRule.Maglev;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.DestinationRule.RingHash;
import dev.meshctl.crds.networking.DestinationRule.Simple;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.policy.Protos;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;

/**
 * Applies a DestinationRule's merged {@link TrafficPolicy} to an Envoy outbound cluster, field for
 * field as Istio does (istio-reference.md, section 1): load balancer, circuit breakers and
 * connection settings, outlier detection. Absent settings keep the cluster's defaults. Pure; any
 * thread.
 */
final class ClusterPolicies {
  /** Istio's default ring size for consistent hashing. */
  static final long DEFAULT_MINIMUM_RING_SIZE = 1024;

  private ClusterPolicies() {}

  /**
   * Applies {@code policy} (already completed by the mesh's defaults) to {@code c}, an outbound
   * cluster of a port with {@code protocol} built by {@link ClusterTranslator}: first the HTTP/2
   * upgrade, so the pool's HTTP/2 settings land on it, then the load balancer, the pool (with the
   * mesh's TCP keepalive under the rule's) and outlier detection.
   */
  static void apply(Cluster.Builder c, TrafficPolicy policy, Protocol protocol, MeshConfig mesh) {
    ConnectionPoolSettings pool =
        policy.connectionPool() != null ? policy.connectionPool() : EMPTY_POOL;
    if (shouldUpgradeToHttp2(protocol, mesh, pool)) {
      HttpProtocolOptions.Builder options = existingHttpOptions(c);
      if (!options.hasExplicitHttpConfig() && !options.hasUseDownstreamProtocolConfig()) {
        options.setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
        putHttpOptions(c, options);
      }
    }
    if (policy.loadBalancer() != null) {
      loadBalancer(c, policy.loadBalancer().lbPolicy());
    }
    connectionPool(c, pool, mesh.defaults().tcpKeepalive());
    if (policy.outlierDetection() != null) {
      outlierDetection(c, policy.outlierDetection());
    }
  }

  private static final ConnectionPoolSettings EMPTY_POOL = new ConnectionPoolSettings(null, null);

  /**
   * Istio's rule: a rule's {@code useClientProtocol} never upgrades; its {@code h2UpgradePolicy}
   * decides when set (even on a non-HTTP port: the user knows better than the port name); otherwise
   * HTTP ports follow the mesh's {@code h2UpgradePolicy}. Clusters that already chose their
   * upstream protocol (HTTP/2 and gRPC ports, sniffed ports) keep it.
   */
  static boolean shouldUpgradeToHttp2(
      Protocol protocol, MeshConfig mesh, ConnectionPoolSettings pool) {
    HttpSettings http = pool.http();
    if (http != null) {
      if (Boolean.TRUE.equals(http.useClientProtocol())) {
        return false;
      }
      if (http.h2UpgradePolicy() == H2UpgradePolicy.UPGRADE) {
        return true;
      }
      if (http.h2UpgradePolicy() == H2UpgradePolicy.DO_NOT_UPGRADE) {
        return false;
      }
    }
    return protocol.isHttp() && mesh.defaults().h2Upgrade();
  }

  private static void loadBalancer(Cluster.Builder c, LbPolicy lb) {
    if (lb instanceof Simple s && s.simple() != null) {
      switch (s.simple()) {
        case ROUND_ROBIN -> c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
        case RANDOM -> c.setLbPolicy(Cluster.LbPolicy.RANDOM);
        case PASSTHROUGH -> {
          // Straight to the address the app dialled: no endpoints to balance over.
          c.setType(Cluster.DiscoveryType.ORIGINAL_DST)
              .clearEdsClusterConfig()
              .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
        }
        case LEAST_REQUEST, LEAST_CONN, UNSPECIFIED ->
            c.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
      }
    } else if (lb instanceof ConsistentHash ch && ch.consistentHash() != null) {
      ConsistentHashLb h = ch.consistentHash();
      if (h.hashAlgorithm() instanceof Maglev m) {
        c.setLbPolicy(Cluster.LbPolicy.MAGLEV);
        if (m.maglev() != null && m.maglev().tableSize() != null) {
          c.setMaglevLbConfig(
              Cluster.MaglevLbConfig.newBuilder()
                  .setTableSize(UInt64Value.of(m.maglev().tableSize())));
        }
      } else {
        long size = DEFAULT_MINIMUM_RING_SIZE;
        if (h.hashAlgorithm() instanceof RingHash r
            && r.ringHash() != null
            && r.ringHash().minimumRingSize() != null
            && r.ringHash().minimumRingSize() > 0) {
          size = r.ringHash().minimumRingSize();
        } else if (h.minimumRingSize() != null && h.minimumRingSize() > 0) {
          size = h.minimumRingSize();
        }
        c.setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(size)));
      }
    }
  }

  private static void connectionPool(
      Cluster.Builder c,
      ConnectionPoolSettings pool,
      dev.meshctl.crds.networking.Common.TcpKeepalive meshKeepalive) {
    CircuitBreakers.Thresholds.Builder t = c.getCircuitBreakers().getThresholds(0).toBuilder();
    TcpSettings tcp = pool.tcp();
    HttpSettings http = pool.http();
    io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder common =
        io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder();
    boolean commonSet = false;
    if (tcp != null) {
      if (positive(tcp.maxConnections())) {
        t.setMaxConnections(UInt32Value.of(tcp.maxConnections()));
      }
      if (tcp.connectTimeout() != null) {
        c.setConnectTimeout(Protos.duration(tcp.connectTimeout()));
      }
      if (tcp.maxConnectionDuration() != null) {
        common.setMaxConnectionDuration(Protos.duration(tcp.maxConnectionDuration()));
        commonSet = true;
      }
      if (tcp.idleTimeout() != null) {
        common.setIdleTimeout(Protos.duration(tcp.idleTimeout()));
        commonSet = true;
      }
    }
    keepalive(c, meshKeepalive, tcp == null ? null : tcp.tcpKeepalive());
    if (http != null) {
      if (positive(http.http1MaxPendingRequests())) {
        t.setMaxPendingRequests(UInt32Value.of(http.http1MaxPendingRequests()));
      }
      if (positive(http.http2MaxRequests())) {
        t.setMaxRequests(UInt32Value.of(http.http2MaxRequests()));
      }
      if (positive(http.maxRetries())) {
        t.setMaxRetries(UInt32Value.of(http.maxRetries()));
      }
      if (positive(http.maxRequestsPerConnection())) {
        common.setMaxRequestsPerConnection(UInt32Value.of(http.maxRequestsPerConnection()));
        commonSet = true;
      }
      if (http.idleTimeout() != null) {
        common.setIdleTimeout(Protos.duration(http.idleTimeout()));
        commonSet = true;
      }
      http2Settings(c, http);
    }
    c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
    if (commonSet) {
      HttpProtocolOptions.Builder options = existingHttpOptions(c);
      options.setCommonHttpProtocolOptions(common);
      if (!options.hasExplicitHttpConfig() && !options.hasUseDownstreamProtocolConfig()) {
        // HttpProtocolOptions needs a protocol selection; plain HTTP/1.1 is what the cluster
        // used before the options existed.
        options.setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttpProtocolOptions(
                    io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance()));
      }
      putHttpOptions(c, options);
    }
    if (http != null && Boolean.TRUE.equals(http.useClientProtocol())) {
      // Upstream speaks whatever the client spoke, keeping any HTTP/1.1 options already chosen.
      HttpProtocolOptions.Builder options = existingHttpOptions(c);
      Http1ProtocolOptions http1 =
          options.getExplicitHttpConfig().hasHttpProtocolOptions()
              ? options.getExplicitHttpConfig().getHttpProtocolOptions()
              : Http1ProtocolOptions.getDefaultInstance();
      options.setUseDownstreamProtocolConfig(
          HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
              .setHttpProtocolOptions(http1)
              .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
      putHttpOptions(c, options);
    }
  }

  /**
   * {@code maxConcurrentStreams} and {@code http2KeepAlive} apply to clusters that talk HTTP/2
   * upstream (explicitly), as in Istio; on others they have nothing to configure.
   */
  private static void http2Settings(Cluster.Builder c, HttpSettings http) {
    boolean streams = positive(http.maxConcurrentStreams());
    if (!streams && http.http2KeepAlive() == null) {
      return;
    }
    HttpProtocolOptions.Builder options = existingHttpOptions(c);
    if (!options.getExplicitHttpConfig().hasHttp2ProtocolOptions()) {
      return;
    }
    Http2ProtocolOptions.Builder h2 =
        options.getExplicitHttpConfig().getHttp2ProtocolOptions().toBuilder();
    if (streams) {
      h2.setMaxConcurrentStreams(UInt32Value.of(http.maxConcurrentStreams()));
    }
    if (http.http2KeepAlive() != null) {
      KeepaliveSettings.Builder k = KeepaliveSettings.newBuilder();
      if (http.http2KeepAlive().interval() != null) {
        k.setInterval(Protos.duration(http.http2KeepAlive().interval()));
      }
      if (http.http2KeepAlive().timeout() != null) {
        k.setTimeout(Protos.duration(http.http2KeepAlive().timeout()));
      }
      h2.setConnectionKeepalive(k);
    }
    options.getExplicitHttpConfigBuilder().setHttp2ProtocolOptions(h2);
    putHttpOptions(c, options);
  }

  /**
   * TCP keepalive as Istio sets it: the mesh's {@code tcpKeepalive} first, then each field the rule
   * sets on top; no keepalive when neither says anything.
   */
  private static void keepalive(
      Cluster.Builder c,
      dev.meshctl.crds.networking.Common.TcpKeepalive mesh,
      dev.meshctl.crds.networking.Common.TcpKeepalive rule) {
    if (mesh == null && rule == null) {
      return;
    }
    TcpKeepalive.Builder k = TcpKeepalive.newBuilder();
    for (dev.meshctl.crds.networking.Common.TcpKeepalive s :
        new dev.meshctl.crds.networking.Common.TcpKeepalive[] {mesh, rule}) {
      if (s == null) {
        continue;
      }
      if (s.probes() != null && s.probes() > 0) {
        k.setKeepaliveProbes(UInt32Value.of(s.probes()));
      }
      if (s.time() != null) {
        k.setKeepaliveTime(UInt32Value.of((int) s.time().getSeconds()));
      }
      if (s.interval() != null) {
        k.setKeepaliveInterval(UInt32Value.of((int) s.interval().getSeconds()));
      }
    }
    c.setUpstreamConnectionOptions(UpstreamConnectionOptions.newBuilder().setTcpKeepalive(k));
  }

  private static void putHttpOptions(Cluster.Builder c, HttpProtocolOptions.Builder options) {
    c.putTypedExtensionProtocolOptions(
        TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()));
  }

  private static HttpProtocolOptions.Builder existingHttpOptions(Cluster.Builder c) {
    Any any =
        c.getTypedExtensionProtocolOptionsMap().get(TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS);
    if (any == null) {
      return HttpProtocolOptions.newBuilder();
    }
    try {
      return any.unpack(HttpProtocolOptions.class).toBuilder();
    } catch (InvalidProtocolBufferException e) {
      // We packed it ourselves a few lines earlier in the same translation.
      throw new IllegalStateException(e);
    }
  }

  private static void outlierDetection(Cluster.Builder c, OutlierDetection od) {
    io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.Builder o =
        io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder();
    if (od.consecutive5xxErrors() != null) {
      int v = od.consecutive5xxErrors();
      o.setConsecutive5Xx(UInt32Value.of(v))
          .setEnforcingConsecutive5Xx(UInt32Value.of(v > 0 ? 100 : 0));
    }
    if (od.consecutiveGatewayErrors() != null) {
      int v = od.consecutiveGatewayErrors();
      o.setConsecutiveGatewayFailure(UInt32Value.of(v))
          .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(v > 0 ? 100 : 0));
    }
    if (od.interval() != null) {
      o.setInterval(Protos.duration(od.interval()));
    }
    if (od.baseEjectionTime() != null) {
      o.setBaseEjectionTime(Protos.duration(od.baseEjectionTime()));
    }
    if (od.maxEjectionPercent() != null && od.maxEjectionPercent() > 0) {
      o.setMaxEjectionPercent(UInt32Value.of(od.maxEjectionPercent()));
    }
    if (Boolean.TRUE.equals(od.splitExternalLocalOriginErrors())) {
      o.setSplitExternalLocalOriginErrors(true);
      if (od.consecutiveLocalOriginFailures() != null) {
        o.setConsecutiveLocalOriginFailure(UInt32Value.of(od.consecutiveLocalOriginFailures()));
      }
    }
    // Success-rate ejection needs request volume statistics Istio does not expose: off.
    o.setEnforcingSuccessRate(UInt32Value.of(0));
    c.setOutlierDetection(o);
    // minHealthPercent 0 (its default) disables panic mode, as in Istio.
    int minHealth = od.minHealthPercent() == null ? 0 : od.minHealthPercent();
    c.setCommonLbConfig(
        c.getCommonLbConfig().toBuilder()
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(minHealth)));
  }

  private static boolean positive(Integer v) {
    return v != null && v > 0;
  }
}
