package dev.meshctl.xds.translate.grpc;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.generate;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.proxy;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.time.Duration;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcRouteAndClusterTest {
  private static final String REVIEWS_9080 = "outbound|9080||reviews.default.svc.cluster.local";

  @Test
  void routeConfigHasOneVhostCoveringEveryDialledFormAndOneCatchAllRoute() {
    SortedMap<String, Message> out = generate(snapshot(), "default", XdsType.ROUTE, REVIEWS_9080);

    assertThat(out).containsOnlyKeys(REVIEWS_9080);
    RouteConfiguration rc = (RouteConfiguration) out.get(REVIEWS_9080);
    assertThat(rc.getName()).isEqualTo(REVIEWS_9080);
    assertThat(rc.getVirtualHostsList()).hasSize(1);
    VirtualHost vh = rc.getVirtualHosts(0);
    assertThat(vh.getName()).isEqualTo("reviews.default.svc.cluster.local:9080");
    assertThat(vh.getDomainsList())
        .containsExactly(
            "10.96.0.5",
            "10.96.0.5:9080",
            "reviews",
            "reviews.default",
            "reviews.default.svc",
            "reviews.default.svc.cluster.local",
            "reviews.default.svc.cluster.local:9080",
            "reviews.default.svc:9080",
            "reviews.default:9080",
            "reviews:9080");
    assertThat(vh.getRoutesList()).hasSize(1);
    Route route = vh.getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getCluster()).isEqualTo(REVIEWS_9080);
    // No timeout of any kind: Istio's default is "none", and grpc reads max_stream_duration.
    assertThat(route.getRoute().hasTimeout()).isFalse();
    assertThat(route.getRoute().hasMaxStreamDuration()).isFalse();
  }

  @Test
  void fromAnotherNamespaceTheBareNameIsNotADomain() {
    RouteConfiguration rc =
        (RouteConfiguration)
            generate(snapshot(), "prod", XdsType.ROUTE, REVIEWS_9080).get(REVIEWS_9080);

    assertThat(rc.getVirtualHosts(0).getDomainsList())
        .doesNotContain("reviews", "reviews:9080")
        .contains("reviews.default", "reviews.default:9080");
  }

  @Test
  void headlessServiceHasNoVipDomains() {
    String name = "outbound|5432||db.default.svc.cluster.local";
    RouteConfiguration rc =
        (RouteConfiguration) generate(snapshot(), "default", XdsType.ROUTE, name).get(name);

    assertThat(rc.getVirtualHosts(0).getDomainsList())
        .containsExactly(
            "db",
            "db.default",
            "db.default.svc",
            "db.default.svc.cluster.local",
            "db.default.svc.cluster.local:5432",
            "db.default.svc:5432",
            "db.default:5432",
            "db:5432");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "outbound|9080|v1|reviews.default.svc.cluster.local",
        "outbound|1234||reviews.default.svc.cluster.local",
        "outbound|9080||unknown.default.svc.cluster.local",
        "inbound|9080||",
        "9080",
        "reviews.default.svc.cluster.local:9080"
      })
  void unknownRouteOrClusterNamesGiveNothing(String name) {
    assertThat(generate(snapshot(), "default", XdsType.ROUTE, name)).isEmpty();
    assertThat(generate(snapshot(), "default", XdsType.CLUSTER, name)).isEmpty();
  }

  @Test
  void wildcardRouteSubscriptionGivesNothing() {
    assertThat(
            new GrpcGenerator()
                .generate(
                    new TranslationContext(snapshot()),
                    proxy("default"),
                    XdsType.ROUTE,
                    Subscription.WILDCARD))
        .isEmpty();
  }

  @Test
  void clusterIsEdsOverAdsWithRoundRobinAndTheMeshConnectTimeout() {
    MeshConfig mesh =
        new MeshConfig(
            "cluster.local",
            "cluster.local",
            "istio-system",
            MeshConfig.OutboundTrafficPolicy.ALLOW_ANY,
            Duration.ofMillis(2500),
            true);
    MeshSnapshot snapshot = MeshSnapshot.build(mesh, GrpcMeshFixture.objects());
    SortedMap<String, Message> out = generate(snapshot, "default", XdsType.CLUSTER, REVIEWS_9080);

    assertThat(out).containsOnlyKeys(REVIEWS_9080);
    Cluster c = (Cluster) out.get(REVIEWS_9080);
    assertThat(c.getName()).isEqualTo(REVIEWS_9080);
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(c.getEdsClusterConfig().getServiceName()).isEqualTo(REVIEWS_9080);
    assertThat(c.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(c.getEdsClusterConfig().getEdsConfig().getResourceApiVersion())
        .isEqualTo(ApiVersion.V3);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(2);
    assertThat(c.getConnectTimeout().getNanos()).isEqualTo(500_000_000);
    assertThat(c.hasTransportSocket()).isFalse();
  }

  @Test
  void wildcardClustersAreEveryServicePort() {
    SortedMap<String, Message> out =
        new GrpcGenerator()
            .generate(
                new TranslationContext(snapshot()),
                proxy("prod"),
                XdsType.CLUSTER,
                Subscription.WILDCARD);

    assertThat(out.keySet())
        .containsExactly(
            "outbound|5432||db.default.svc.cluster.local",
            "outbound|7070||ratings.prod.svc.cluster.local",
            "outbound|8080||reviews.default.svc.cluster.local",
            REVIEWS_9080);
  }

  @Test
  void sameInputTwiceGivesEqualRoutesAndClusters() {
    String[] names = {REVIEWS_9080, "outbound|7070||ratings.prod.svc.cluster.local"};
    for (XdsType type : new XdsType[] {XdsType.ROUTE, XdsType.CLUSTER}) {
      SortedMap<String, Message> first = generate(snapshot(), "default", type, names);
      SortedMap<String, Message> second =
          generate(GrpcMeshFixture.snapshotReversed(), "default", type, names);
      assertThat(first).hasSize(2).isEqualTo(second);
    }
  }

  @Test
  void meshGeneratorServesGrpcProxiesFromThisGeneratorAndSharedEds() {
    SortedMap<String, Message> envoyMarker = new TreeMap<>();
    envoyMarker.put("envoy-only", Cluster.getDefaultInstance());
    MeshGenerator mesh =
        new MeshGenerator((ctx, proxy, type, sub) -> envoyMarker, new GrpcGenerator());
    TranslationContext ctx = new TranslationContext(snapshot());
    Proxy grpcProxy = proxy("default");
    Subscription names = Subscription.names(Set.of(REVIEWS_9080));

    assertThat(mesh.generate(ctx, grpcProxy, XdsType.CLUSTER, names))
        .containsOnlyKeys(REVIEWS_9080);
    SortedMap<String, Message> eds = mesh.generate(ctx, grpcProxy, XdsType.ENDPOINT, names);
    assertThat(eds).containsOnlyKeys(REVIEWS_9080);
    assertThat(
            ((ClusterLoadAssignment) eds.get(REVIEWS_9080)).getEndpoints(0).getLbEndpointsCount())
        .isEqualTo(1);
    // Asked directly, the grpc generator leaves EDS to MeshGenerator.
    assertThat(new GrpcGenerator().generate(ctx, grpcProxy, XdsType.ENDPOINT, names)).isEmpty();
  }
}
