package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.Resolution;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.model.TrafficDistribution;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.common.ConfigSources;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.endpoint.EndpointTranslator;
import dev.meshctl.xds.translate.endpoint.LocalityLb;
import dev.meshctl.xds.translate.endpoint.LocalityViews;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a sidecar's clusters (CDS) the way istiod does with no DestinationRule: one cluster per
 * visible service port ({@code outbound|port||host}: EDS over ADS, or ORIGINAL_DST for headless
 * services), the special {@code PassthroughCluster}, {@code BlackHoleCluster} and {@code
 * InboundPassthroughCluster}, and one ORIGINAL_DST cluster per inbound port ({@code
 * inbound|port||}). A DestinationRule visible to the proxy adds one subset cluster per subset and
 * port ({@code outbound|port|subset|host}) and applies its traffic policy ({@link
 * ClusterPolicies}); upstream TLS, from the rule or auto-mTLS, comes from {@link ClusterTls}. Pure;
 * any thread.
 */
public final class ClusterTranslator {
  /** Istio's default for every circuit-breaker threshold: effectively unlimited. */
  static final int UNLIMITED = (int) 4294967295L;

  /** Inbound ORIGINAL_DST hosts are never cleaned up: Istio uses protobuf's max duration. */
  private static final Duration NEVER = Duration.newBuilder().setSeconds(315576000000L).build();

  /** How often Envoy re-resolves DNS clusters (Istio's mesh default {@code dnsRefreshRate}). */

  /** Idle timeout of passthrough upstream connections (Istio: 5 minutes). */
  private static final Duration PASSTHROUGH_IDLE = Duration.newBuilder().setSeconds(300).build();

  private ClusterTranslator() {}

  /**
   * The clusters that do not depend on the proxy: one per service port, plus the passthrough and
   * blackhole clusters. Callers memoise this per push.
   */
  public static List<Cluster> outbound(SidecarScope scope) {
    List<Cluster> out = new ArrayList<>();
    for (Service service : scope.services()) {
      Optional<DestinationRule> rule = scope.destinationRule(service);
      for (ServicePort port : service.ports()) {
        if (ListenerProtocol.of(port.protocol()) == ListenerProtocol.NONE) {
          continue;
        }
        String host = scope.host(service);
        out.add(
            withDns(
                scope, service, outboundCluster(scope.snapshot(), service, port, host, rule, "")));
        if (rule.isPresent()) {
          // One cluster per subset and port, even for subsets no endpoint matches yet: a route
          // may name the subset before its pods exist (Istio's "503 during rollout" otherwise).
          for (DestinationRule.Subset subset : rule.get().subsets()) {
            out.add(
                withDns(
                    scope,
                    service,
                    outboundCluster(scope.snapshot(), service, port, host, rule, subset.name())));
          }
        }
      }
    }
    out.add(blackHole(scope.mesh()));
    out.add(passthrough(scope.mesh()));
    out.add(inboundPassthrough(scope.mesh()));
    return out;
  }

  /** One inbound cluster per port the proxy serves. */
  public static List<Cluster> inbound(SidecarScope scope) {
    List<Cluster> out = new ArrayList<>();
    for (SidecarScope.InboundPort in : scope.inbound()) {
      String name = ResourceNames.inboundCluster(in.targetPort());
      if (!in.defaultEndpoint().isEmpty()) {
        Cluster.Builder c = SidecarIngress.cluster(scope, name, in.defaultEndpoint());
        applyUpstreamProtocol(c, in.target().port().protocol());
        out.add(c.build());
        continue;
      }
      Cluster.Builder c =
          base(name, Cluster.DiscoveryType.ORIGINAL_DST, scope.mesh())
              .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
              .setCleanupInterval(NEVER)
              .setUpstreamBindConfig(inboundBind());
      applyUpstreamProtocol(c, in.target().port().protocol());
      out.add(c.build());
    }
    return out;
  }

  static Cluster outboundCluster(
      MeshSnapshot snapshot,
      Service service,
      ServicePort port,
      String host,
      Optional<DestinationRule> rule,
      String subset) {
    MeshConfig mesh = snapshot.mesh();
    String name = ResourceNames.outboundCluster(port.port(), subset, host);
    Cluster.Builder c;
    Resolution resolution = service.resolution();
    if (resolution == Resolution.PASSTHROUGH) {
      // Headless services and ServiceEntries with resolution NONE: the client already resolved an
      // IP, so Envoy forwards to the original destination.
      c =
          base(name, Cluster.DiscoveryType.ORIGINAL_DST, mesh)
              .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
    } else if (resolution == Resolution.DNS_LB || resolution == Resolution.DNS_ROUND_ROBIN) {
      // Envoy resolves the endpoints' names itself; they travel inline (see withDns), not by EDS.
      c =
          base(
                  name,
                  resolution == Resolution.DNS_LB
                      ? Cluster.DiscoveryType.STRICT_DNS
                      : Cluster.DiscoveryType.LOGICAL_DNS,
                  mesh)
              .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
              .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
              .setDnsRefreshRate(duration(mesh.defaults().dnsRefreshRate()))
              .setRespectDnsTtl(true);
    } else {
      c =
          base(name, Cluster.DiscoveryType.EDS, mesh)
              .setEdsClusterConfig(
                  Cluster.EdsClusterConfig.newBuilder()
                      .setEdsConfig(ConfigSources.ads())
                      .setServiceName(name))
              .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
    }
    applyUpstreamProtocol(c, port.protocol());
    TrafficPolicy policy =
        rule.map(r -> TrafficPolicy.of(r, subset, port.port()))
            .orElse(TrafficPolicy.NONE)
            .withMeshDefaults(mesh.defaults());
    if (resolution != Resolution.PASSTHROUGH) {
      ClusterPolicies.apply(c, policy, port.protocol(), mesh);
    }
    if (service.attributes().trafficDistribution() != TrafficDistribution.ANY
        && !c.getCommonLbConfig().hasHealthyPanicThreshold()) {
      // Unhealthy endpoints are sent for it (see EndpointTranslator); in panic mode Envoy would
      // route to them, so panic mode is off unless outlier detection's minHealthPercent says.
      c.setCommonLbConfig(
          c.getCommonLbConfig().toBuilder()
              .setHealthyPanicThreshold(
                  io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(0)));
    }
    if (LocalityViews.weightedLbConfig(mesh, policy, service)) {
      c.setCommonLbConfig(
          c.getCommonLbConfig().toBuilder()
              .setLocalityWeightedLbConfig(
                  Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance()));
    }
    // After the policies: a PASSTHROUGH load balancer changes the cluster type TLS depends on.
    ClusterTls.apply(c, policy.tls(), snapshot, service, port, host, subset);
    // Last: the PROXY header wraps whatever transport TLS chose.
    ClusterTls.proxyProtocol(c, policy.proxyProtocol());
    return c.build();
  }

  /**
   * {@code clusters} with the inline endpoints of STRICT_DNS clusters as {@code proxy} sees them
   * under locality load balancing ({@link LocalityViews}); the same list when nothing changes. The
   * outbound clusters are shared by the proxies of a scope; only these assignments depend on where
   * a proxy is.
   */
  public static List<Cluster> forLocality(
      List<Cluster> clusters, MeshSnapshot snapshot, Proxy proxy) {
    List<Cluster> out = null;
    for (int i = 0; i < clusters.size(); i++) {
      Cluster c = clusters.get(i);
      if (c.getType() != Cluster.DiscoveryType.STRICT_DNS) {
        continue;
      }
      Optional<LocalityLb.View> view = LocalityViews.forCluster(snapshot, proxy, c.getName());
      if (view.isEmpty()) {
        continue;
      }
      Optional<ClusterLoadAssignment> cla =
          EndpointTranslator.translate(
              snapshot, c.getName(), MeshGenerator.subsets(snapshot), view.get());
      if (cla.isEmpty()) {
        continue;
      }
      if (out == null) {
        out = new ArrayList<>(clusters);
      }
      out.set(i, c.toBuilder().setLoadAssignment(cla.get()).build());
    }
    return out == null ? clusters : out;
  }

  /**
   * DNS clusters carry their endpoints inline: every (subset-matching) endpoint for STRICT_DNS,
   * only the first for LOGICAL_DNS, which Envoy requires to have exactly one host.
   */
  private static Cluster withDns(SidecarScope scope, Service service, Cluster cluster) {
    if (cluster.getType() != Cluster.DiscoveryType.STRICT_DNS
        && cluster.getType() != Cluster.DiscoveryType.LOGICAL_DNS) {
      return cluster;
    }
    ClusterLoadAssignment cla =
        EndpointTranslator.translate(
                scope.snapshot(), cluster.getName(), MeshGenerator.subsets(scope.snapshot()))
            .orElse(ClusterLoadAssignment.newBuilder().setClusterName(cluster.getName()).build());
    if (cluster.getType() == Cluster.DiscoveryType.LOGICAL_DNS && cla.getEndpointsCount() > 0) {
      LocalityLbEndpoints first = cla.getEndpoints(0);
      cla =
          cla.toBuilder()
              .clearEndpoints()
              .addEndpoints(
                  first.toBuilder()
                      .clearLbEndpoints()
                      .addLbEndpoints(first.getLbEndpoints(0))
                      .setLoadBalancingWeight(first.getLbEndpoints(0).getLoadBalancingWeight()))
              .build();
    }
    return cluster.toBuilder().setLoadAssignment(cla).build();
  }

  /** Name, type, connect timeout, default circuit breakers and Istio's alt stat name. */
  static Cluster.Builder base(String name, Cluster.DiscoveryType type, MeshConfig mesh) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(type)
        .setConnectTimeout(duration(mesh.connectTimeout()))
        .setCircuitBreakers(defaultCircuitBreakers())
        .setCommonLbConfig(Cluster.CommonLbConfig.getDefaultInstance())
        .setAltStatName(ResourceNames.statPrefix(name));
  }

  static CircuitBreakers defaultCircuitBreakers() {
    UInt32Value max = UInt32Value.of(UNLIMITED);
    return CircuitBreakers.newBuilder()
        .addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(max)
                .setMaxPendingRequests(max)
                .setMaxRequests(max)
                .setMaxRetries(max)
                .setTrackRemaining(true))
        .build();
  }

  /**
   * HTTP/2 ports talk HTTP/2 upstream; undeclared (sniffed) ports use whatever the downstream
   * spoke, as Istio does for sidecars.
   */
  private static void applyUpstreamProtocol(Cluster.Builder c, Protocol protocol) {
    if (ListenerProtocol.isHttp2(protocol)) {
      putHttpOptions(
          c,
          HttpProtocolOptions.newBuilder()
              .setExplicitHttpConfig(
                  HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                      .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
              .build());
    } else if (protocol == Protocol.UNSUPPORTED) {
      putHttpOptions(
          c, HttpProtocolOptions.newBuilder().setUseDownstreamProtocolConfig(downstream()).build());
    }
  }

  private static HttpProtocolOptions.UseDownstreamHttpConfig downstream() {
    return HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
        .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
        .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance())
        .build();
  }

  private static void putHttpOptions(Cluster.Builder c, HttpProtocolOptions options) {
    c.putTypedExtensionProtocolOptions(
        TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS, Any.pack(options));
  }

  static Cluster blackHole(MeshConfig mesh) {
    // STATIC with no load assignment: every connection fails fast.
    return Cluster.newBuilder()
        .setName(ResourceNames.BLACKHOLE_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(duration(mesh.connectTimeout()))
        .setAltStatName(ResourceNames.statPrefix(ResourceNames.BLACKHOLE_CLUSTER))
        .build();
  }

  static Cluster passthrough(MeshConfig mesh) {
    return passthroughBuilder(mesh, ResourceNames.PASSTHROUGH_CLUSTER).build();
  }

  static Cluster inboundPassthrough(MeshConfig mesh) {
    return passthroughBuilder(mesh, ResourceNames.INBOUND_PASSTHROUGH_CLUSTER)
        .setUpstreamBindConfig(inboundBind())
        .build();
  }

  private static Cluster.Builder passthroughBuilder(MeshConfig mesh, String name) {
    Builder common =
        io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
            .setIdleTimeout(PASSTHROUGH_IDLE);
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.ORIGINAL_DST)
            .setConnectTimeout(duration(mesh.connectTimeout()))
            .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
            .setCircuitBreakers(defaultCircuitBreakers())
            .setAltStatName(ResourceNames.statPrefix(name));
    putHttpOptions(
        c,
        HttpProtocolOptions.newBuilder()
            .setCommonHttpProtocolOptions(common)
            .setUseDownstreamProtocolConfig(downstream())
            .build());
    return c;
  }

  /**
   * Upstream connections from the sidecar to the local app bind to 127.0.0.6, which the iptables
   * rules exempt from redirection; otherwise they would loop back into the sidecar.
   */
  static BindConfig inboundBind() {
    return BindConfig.newBuilder()
        .setSourceAddress(
            SocketAddress.newBuilder()
                .setAddress(ResourceNames.INBOUND_PASSTHROUGH_BIND_IP)
                .setPortValue(0))
        .build();
  }

  static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
