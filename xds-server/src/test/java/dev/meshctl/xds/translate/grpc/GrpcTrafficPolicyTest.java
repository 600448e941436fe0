package dev.meshctl.xds.translate.grpc;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.REVIEWS_FQDN;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.generate;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.Unpack;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** DestinationRules and VirtualServices as proxyless gRPC receives them: only what grpc does. */
class GrpcTrafficPolicyTest {
  private static final String REVIEWS_9080 = "outbound|9080||" + REVIEWS_FQDN;
  private static final String V1 = "outbound|9080|v1|" + REVIEWS_FQDN;

  @Test
  void subsetClustersExistOnlyForSubsetsTheRuleDefines() {
    MeshSnapshot s = snapshot(dr("loadBalancer: {simple: LEAST_REQUEST}"));
    assertThat(generate(s, "default", XdsType.CLUSTER, V1)).containsOnlyKeys(V1);
    assertThat(generate(s, "default", XdsType.CLUSTER, "outbound|9080|v9|" + REVIEWS_FQDN))
        .isEmpty();
    assertThat(
            new GrpcGenerator()
                .generate(
                    new TranslationContext(s),
                    GrpcMeshFixture.proxy("default"),
                    XdsType.CLUSTER,
                    Subscription.WILDCARD)
                .keySet())
        .contains(REVIEWS_9080, V1, "outbound|8080|v1|" + REVIEWS_FQDN);
    assertThat(((Cluster) generate(s, "default", XdsType.CLUSTER, V1).get(V1)).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
  }

  @Test
  void subsetEndpointsAreThoseWhosePodLabelsMatch() {
    MeshSnapshot s = snapshot(dr("loadBalancer: {simple: ROUND_ROBIN}"));
    MeshGenerator gen = new MeshGenerator(new SidecarGenerator(), new GrpcGenerator());
    SortedMap<String, Message> eds =
        gen.generate(
            new TranslationContext(s),
            GrpcMeshFixture.proxy("default"),
            XdsType.ENDPOINT,
            Subscription.names(java.util.Set.of(V1, "outbound|9080|v2|" + REVIEWS_FQDN)));
    // The only pod is labelled app=reviews: in v1 (app=reviews), not in v2 (version=v2).
    assertThat(((ClusterLoadAssignment) eds.get(V1)).getEndpointsCount()).isEqualTo(1);
    assertThat(
            ((ClusterLoadAssignment) eds.get("outbound|9080|v2|" + REVIEWS_FQDN))
                .getEndpointsCount())
        .isZero();
  }

  @Test
  void consistentHashIsRingHashWithTheRoutesHeaderHashPolicy() {
    MeshSnapshot s = snapshot(dr("loadBalancer: {consistentHash: {httpHeaderName: X-User}}"));
    Cluster c = (Cluster) generate(s, "default", XdsType.CLUSTER, REVIEWS_9080).get(REVIEWS_9080);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(c.getRingHashLbConfig().getMinimumRingSize().getValue()).isEqualTo(1024);
    Route r = onlyRoute(s);
    assertThat(r.getRoute().getHashPolicyList())
        .singleElement()
        .satisfies(h -> assertThat(h.getHeader().getHeaderName()).isEqualTo("x-user"));
  }

  @Test
  void maglevOutlierDetectionAndConnectionLimitsAreOmitted() {
    MeshSnapshot s =
        snapshot(
            dr(
                """
                loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 1021}}}
                    connectionPool: {http: {http2MaxRequests: 1}, tcp: {maxConnections: 1}}
                    outlierDetection: {consecutive5xxErrors: 1}
                """));
    Cluster c = (Cluster) generate(s, "default", XdsType.CLUSTER, REVIEWS_9080).get(REVIEWS_9080);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.hasOutlierDetection()).isFalse();
    assertThat(c.hasCircuitBreakers()).isFalse();
    // A source-IP hash is not something grpc can compute: no hash policy either.
    assertThat(onlyRoute(s).getRoute().getHashPolicyCount()).isZero();
  }

  @Test
  void virtualServiceRoutesKeepWhatGrpcImplementsAndDropTheRest() {
    MeshSnapshot s =
        snapshot(
            dr("loadBalancer: {simple: ROUND_ROBIN}"),
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - name: moved
                redirect: {uri: /new}
              - name: query
                match: [{queryParams: {debug: {exact: "1"}}}]
                route: [{destination: {host: reviews}}]
              - name: main
                timeout: 2s
                retries: {attempts: 3, retryOn: unavailable}
                fault: {abort: {grpcStatus: UNAVAILABLE, percentage: {value: 0.5}}}
                headers: {request: {set: {x-a: b}}}
                mirror: {host: reviews, subset: v1}
                route:
                - destination: {host: reviews, subset: v1}
                  weight: 90
                - destination: {host: reviews}
                  weight: 10
            """);
    RouteConfiguration rc =
        (RouteConfiguration) generate(s, "default", XdsType.ROUTE, REVIEWS_9080).get(REVIEWS_9080);
    List<Route> routes = rc.getVirtualHosts(0).getRoutesList();
    assertThat(routes).extracting(Route::getName).containsExactly("main");
    Route main = routes.get(0);
    assertThat(main.getRoute().getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly(V1 + "=90", REVIEWS_9080 + "=10");
    assertThat(main.getRoute().getMaxStreamDuration().getMaxStreamDuration().getSeconds())
        .isEqualTo(2);
    assertThat(main.getRoute().hasTimeout()).isFalse();
    assertThat(main.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(3);
    assertThat(main.getRoute().getRetryPolicy().getRetryOn()).isEqualTo("unavailable");
    assertThat(main.getRoute().getRetryPolicy().getRetryHostPredicateCount()).isZero();
    assertThat(main.getRoute().getRequestMirrorPoliciesCount()).isZero();
    assertThat(main.getRequestHeadersToAddCount()).isZero();
    HTTPFault fault =
        Unpack.of(main.getTypedPerFilterConfigOrThrow("envoy.filters.http.fault"), HTTPFault.class);
    assertThat(fault.getAbort().getGrpcStatus()).isEqualTo(14);
    assertThat(fault.getAbort().getPercentage().getNumerator()).isEqualTo(5000);
  }

  private static Route onlyRoute(MeshSnapshot s) {
    RouteConfiguration rc =
        (RouteConfiguration) generate(s, "default", XdsType.ROUTE, REVIEWS_9080).get(REVIEWS_9080);
    assertThat(rc.getVirtualHosts(0).getRoutesList()).hasSize(1);
    return rc.getVirtualHosts(0).getRoutes(0);
  }

  private static String dr(String trafficPolicy) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          trafficPolicy:
            %s
          subsets:
          - {name: v1, labels: {app: reviews}}
          - {name: v2, labels: {version: v2}}
        """
        .formatted(trafficPolicy.strip());
  }

  private static MeshSnapshot snapshot(String... docs) {
    List<ConfigObject> objects = new ArrayList<>(GrpcMeshFixture.objects());
    for (String d : docs) {
      objects.addAll(MeshFixture.objects(d, "test"));
    }
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects);
  }
}
