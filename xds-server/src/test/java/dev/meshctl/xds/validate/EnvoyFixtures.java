package dev.meshctl.xds.validate;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/** Realistic, valid Envoy resources of the kinds our translator emits; tests break them. */
final class EnvoyFixtures {
  private EnvoyFixtures() {}

  static final String HCM_TYPE =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  static Duration seconds(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  /** An Istio-style outbound EDS cluster with mTLS and protocol options. */
  static Cluster edsCluster() {
    HttpProtocolOptions protocol =
        HttpProtocolOptions.newBuilder()
            .setUseDownstreamProtocolConfig(
                HttpProtocolOptions.UseDownstreamHttpConfig.getDefaultInstance())
            .build();
    return Cluster.newBuilder()
        .setName("outbound|9080||reviews.default.svc.cluster.local")
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(ads())
                .setServiceName("outbound|9080||reviews.default.svc.cluster.local"))
        .setConnectTimeout(seconds(10))
        .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
        .setCircuitBreakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(UInt32Value.of(Integer.MAX_VALUE))
                        .setMaxRetries(UInt32Value.of(Integer.MAX_VALUE))))
        .setOutlierDetection(
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(UInt32Value.of(5))
                .setInterval(seconds(10))
                .setBaseEjectionTime(seconds(30))
                .setMaxEjectionPercent(UInt32Value.of(100)))
        .setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(
                    Any.pack(
                        UpstreamTlsContext.newBuilder()
                            .setSni("outbound_.9080_._.reviews.default.svc.cluster.local")
                            .build())))
        .putTypedExtensionProtocolOptions(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(protocol))
        .setMetadata(
            Metadata.newBuilder()
                .putFilterMetadata(
                    "istio",
                    Struct.newBuilder()
                        .putFields(
                            "default_original_port",
                            Value.newBuilder().setNumberValue(9080).build())
                        .build()))
        .build();
  }

  /** Istio's PassthroughCluster: ORIGINAL_DST, load balanced by the original destination. */
  static Cluster passthroughCluster() {
    return Cluster.newBuilder()
        .setName("PassthroughCluster")
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(seconds(10))
        .setCircuitBreakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    CircuitBreakers.Thresholds.newBuilder()
                        .setMaxConnections(UInt32Value.of(Integer.MAX_VALUE))))
        .build();
  }

  /** A STATIC cluster carrying its endpoints inline. */
  static Cluster staticCluster(int... ports) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (int port : ports) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setAddress(address("10.0.0.1", port))));
    }
    return Cluster.newBuilder()
        .setName("inbound|8080||")
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(seconds(10))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName("inbound|8080||")
                .addEndpoints(locality))
        .build();
  }

  static HttpConnectionManager hcm() {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_0.0.0.0_8080")
        .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName("8080"))
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.fault")
                .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.cors")
                .setTypedConfig(Any.pack(Cors.getDefaultInstance())))
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
  }

  /** An outbound HTTP listener: HCM (packed in Any) fetching routes over RDS. */
  static Listener listener(HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName("0.0.0.0_8080")
        .setAddress(address("0.0.0.0", 8080))
        .addListenerFilters(
            ListenerFilter.newBuilder()
                .setName("envoy.filters.listener.tls_inspector")
                .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())))
        .addListenerFilters(
            ListenerFilter.newBuilder()
                .setName("envoy.filters.listener.http_inspector")
                .setTypedConfig(Any.pack(HttpInspector.getDefaultInstance())))
        .addListenerFilters(
            ListenerFilter.newBuilder()
                .setName("envoy.filters.listener.original_dst")
                .setTypedConfig(Any.pack(OriginalDst.getDefaultInstance())))
        .addFilterChains(
            FilterChain.newBuilder()
                .setFilterChainMatch(
                    FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(8080)))
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  static Route.Builder weightedRoute() {
    return Route.newBuilder()
        .setName("default")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(
            RouteAction.newBuilder()
                .setWeightedClusters(
                    WeightedCluster.newBuilder()
                        .addClusters(
                            WeightedCluster.ClusterWeight.newBuilder()
                                .setName("outbound|9080|v1|reviews.default.svc.cluster.local")
                                .setWeight(UInt32Value.of(90)))
                        .addClusters(
                            WeightedCluster.ClusterWeight.newBuilder()
                                .setName("outbound|9080|v2|reviews.default.svc.cluster.local")
                                .setWeight(UInt32Value.of(10))))
                .setTimeout(seconds(0)));
  }

  static RouteConfiguration routeConfig(Route route) {
    return RouteConfiguration.newBuilder()
        .setName("9080")
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName("reviews.default.svc.cluster.local:9080")
                .addDomains("reviews.default.svc.cluster.local")
                .addDomains("reviews")
                .addDomains("10.96.0.12:9080")
                .addRoutes(route))
        .setValidateClusters(com.google.protobuf.BoolValue.of(false))
        .build();
  }
}
