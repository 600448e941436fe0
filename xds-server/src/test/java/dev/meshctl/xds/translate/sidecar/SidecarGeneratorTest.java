package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class SidecarGeneratorTest {
  private static final String SERVICES =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.9.1
        ports:
        - {name: http-web, port: 80, targetPort: 8080}
        - {name: udp-dns, port: 53, protocol: UDP}
        - {name: grpc-api, port: 9000}
      """;

  private static final Proxy CLIENT =
      MeshFixture.proxy(
          """
          id: sidecar~10.0.0.9~client-1.other~other.svc.cluster.local
          metadata: {NAMESPACE: other}
          """);

  private final SidecarGenerator generator = new SidecarGenerator();

  private SortedMap<String, Message> generate(XdsType type, Subscription s) {
    List<ConfigObject> objects = MeshFixture.objects(SERVICES, "test");
    TranslationContext ctx =
        new TranslationContext(MeshSnapshot.build(MeshConfig.DEFAULT, objects));
    return generator.generate(ctx, CLIENT, type, s);
  }

  @Test
  void namedSubscriptionGetsOnlyTheNamedResourcesThatExist() {
    SortedMap<String, Message> cds =
        generate(
            XdsType.CLUSTER,
            Subscription.names(
                Set.of("outbound|80||web.shop.svc.cluster.local", "outbound|1||nope")));
    assertThat(cds).containsOnlyKeys("outbound|80||web.shop.svc.cluster.local");
  }

  @Test
  void udpPortsGetNoClusterListenerOrRoute() {
    assertThat(generate(XdsType.CLUSTER, Subscription.WILDCARD).keySet())
        .containsExactly(
            "BlackHoleCluster",
            "InboundPassthroughCluster",
            "PassthroughCluster",
            "outbound|80||web.shop.svc.cluster.local",
            "outbound|9000||web.shop.svc.cluster.local");
    assertThat(generate(XdsType.LISTENER, Subscription.WILDCARD).keySet())
        .containsExactly("0.0.0.0_80", "0.0.0.0_9000", "virtualInbound", "virtualOutbound");
  }

  @Test
  void grpcClustersSpeakHttp2AndHttpClustersDoNot() {
    SortedMap<String, Message> cds = generate(XdsType.CLUSTER, Subscription.WILDCARD);
    Cluster grpc = (Cluster) cds.get("outbound|9000||web.shop.svc.cluster.local");
    Cluster http = (Cluster) cds.get("outbound|80||web.shop.svc.cluster.local");
    assertThat(grpc.getTypedExtensionProtocolOptionsMap())
        .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    assertThat(http.getTypedExtensionProtocolOptionsMap()).isEmpty();
    assertThat(http.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(http.getEdsClusterConfig().getServiceName()).isEqualTo(http.getName());
  }

  @Test
  void domainsFromAnotherNamespaceOmitTheBareName() {
    RouteConfiguration rc =
        (RouteConfiguration) generate(XdsType.ROUTE, Subscription.WILDCARD).get("80");
    assertThat(rc.getVirtualHosts(0).getDomainsList())
        .containsExactly("10.96.9.1", "web.shop", "web.shop.svc", "web.shop.svc.cluster.local");
    assertThat(rc.getVirtualHosts(1).getName()).isEqualTo("allow_any");
  }

  @Test
  void endpointsAreNotThisGeneratorsJob() {
    assertThat(generate(XdsType.ENDPOINT, Subscription.WILDCARD)).isEmpty();
  }
}
