package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.decode.MeshConfigDecoder;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The mesh config's defaults for what resources leave unset, as Istio applies them: the default
 * retry policy, HTTP/2 upgrade, default traffic policy, TCP keepalive, DNS refresh rate, protocol
 * detection timeout and default exportTo. Each case compares a mesh config with the field to one
 * without, so a default that is ignored fails.
 */
class MeshDefaultsTest {
  static final String WORLD =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{name: http, port: 80}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: shop}
      spec: {clusterIP: 10.96.0.2, selector: {app: db}, ports: [{name: tcp, port: 3306}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: rpc, namespace: shop}
      spec: {clusterIP: 10.96.0.3, selector: {app: rpc}, ports: [{name: grpc, port: 9090}]}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: ext, namespace: shop}
      spec:
        hosts: [api.example.com]
        ports: [{number: 443, name: tls, protocol: TLS}]
        resolution: DNS
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client, namespace: shop, labels: {app: client}}
      spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
      status: {podIP: 10.0.0.5}
      """;

  static final String WEB = "outbound|80||web.shop.svc.cluster.local";
  static final String DB = "outbound|3306||db.shop.svc.cluster.local";
  static final String RPC = "outbound|9090||rpc.shop.svc.cluster.local";

  static MeshSnapshot snapshot(String mesh, String extra) {
    MeshConfigDecoder.Result decoded = MeshConfigDecoder.decode(mesh);
    assertThat(decoded.errors()).isEmpty();
    MeshConfig config = decoded.config().orElseThrow();
    return MeshSnapshot.build(config, MeshFixture.objects(WORLD + extra, "test"));
  }

  static Proxy proxy(String namespace) {
    return MeshFixture.proxy(
        """
        id: sidecar~10.0.0.5~client.%1$s~%1$s.svc.cluster.local
        metadata: {NAMESPACE: %1$s, LABELS: {app: client}}
        """
            .formatted(namespace));
  }

  static SortedMap<String, Message> generate(MeshSnapshot s, XdsType type, String namespace) {
    return MeshFixture.generate(s, proxy(namespace), type, Subscription.WILDCARD);
  }

  static Cluster cluster(MeshSnapshot s, String name) {
    return (Cluster) generate(s, XdsType.CLUSTER, "shop").get(name);
  }

  static HttpProtocolOptions http(Cluster c) throws InvalidProtocolBufferException {
    var any =
        c.getTypedExtensionProtocolOptionsMap().get(TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS);
    return any == null
        ? HttpProtocolOptions.getDefaultInstance()
        : any.unpack(HttpProtocolOptions.class);
  }

  static Route webRoute(MeshSnapshot s) {
    RouteConfiguration rc = (RouteConfiguration) generate(s, XdsType.ROUTE, "shop").get("80");
    return rc.getVirtualHostsList().stream()
        .filter(v -> v.getName().startsWith("web.shop"))
        .findFirst()
        .orElseThrow()
        .getRoutes(0);
  }

  @Test
  void defaultHttpRetryPolicyReplacesIstiosBuiltInPolicy() {
    assertThat(webRoute(snapshot("", "")).getRoute().getRetryPolicy().getNumRetries().getValue())
        .isEqualTo(2);
    Route custom =
        webRoute(
            snapshot("defaultHttpRetryPolicy: {attempts: 4, retryOn: \"5xx,gateway-error\"}", ""));
    assertThat(custom.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(4);
    assertThat(custom.getRoute().getRetryPolicy().getRetryOn()).isEqualTo("5xx,gateway-error");
    assertThat(
            webRoute(snapshot("defaultHttpRetryPolicy: {attempts: 0}", ""))
                .getRoute()
                .hasRetryPolicy())
        .isFalse();
    // A VirtualService's own retries win over the mesh default.
    Route own =
        webRoute(
            snapshot(
                "defaultHttpRetryPolicy: {attempts: 0}",
                """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web]
                  http: [{route: [{destination: {host: web}}], retries: {attempts: 3}}]
                """));
    assertThat(own.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(3);
  }

  @Test
  void h2UpgradePolicyUpgradesHttpPortsUnlessARuleSaysOtherwise() throws Exception {
    assertThat(
            http(cluster(snapshot("", ""), WEB)).getExplicitHttpConfig().hasHttp2ProtocolOptions())
        .isFalse();
    MeshSnapshot upgrade = snapshot("h2UpgradePolicy: UPGRADE", "");
    assertThat(http(cluster(upgrade, WEB)).getExplicitHttpConfig().hasHttp2ProtocolOptions())
        .isTrue();
    // Not an HTTP port: only a rule's UPGRADE upgrades it.
    assertThat(cluster(upgrade, DB).getTypedExtensionProtocolOptionsMap()).isEmpty();
    MeshSnapshot rules =
        snapshot(
            "h2UpgradePolicy: UPGRADE",
            """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: shop}
            spec:
              host: web
              trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: DO_NOT_UPGRADE}}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: db, namespace: shop}
            spec:
              host: db
              trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE}}}
            """);
    assertThat(http(cluster(rules, WEB)).getExplicitHttpConfig().hasHttp2ProtocolOptions())
        .isFalse();
    assertThat(http(cluster(rules, DB)).getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
  }

  @Test
  void http2PoolSettingsLandOnHttp2ClustersAndUseClientProtocolFollowsTheClient() throws Exception {
    MeshSnapshot s =
        snapshot(
            "",
            """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: rpc, namespace: shop}
            spec:
              host: rpc
              trafficPolicy:
                connectionPool:
                  http: {maxConcurrentStreams: 100, http2KeepAlive: {interval: 30s, timeout: 5s}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: shop}
            spec:
              host: web
              trafficPolicy: {connectionPool: {http: {useClientProtocol: true}}}
            """);
    var h2 = http(cluster(s, RPC)).getExplicitHttpConfig().getHttp2ProtocolOptions();
    assertThat(h2.getMaxConcurrentStreams().getValue()).isEqualTo(100);
    assertThat(h2.getConnectionKeepalive().getInterval().getSeconds()).isEqualTo(30);
    assertThat(h2.getConnectionKeepalive().getTimeout().getSeconds()).isEqualTo(5);
    assertThat(http(cluster(s, WEB)).hasUseDownstreamProtocolConfig()).isTrue();
  }

  @Test
  void defaultTrafficPolicyFillsWhatTheRuleLeavesUnset() {
    String mesh =
        "defaultTrafficPolicy: {outlierDetection: {consecutive5xxErrors: 7},"
            + " connectionPool: {tcp: {maxConnections: 50}}}";
    MeshSnapshot s =
        snapshot(
            mesh,
            """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: db, namespace: shop}
            spec:
              host: db
              trafficPolicy: {outlierDetection: {consecutive5xxErrors: 2}}
            """);
    Cluster web = cluster(s, WEB);
    assertThat(web.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(7);
    assertThat(web.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue())
        .isEqualTo(50);
    Cluster db = cluster(s, DB);
    assertThat(db.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(2);
    assertThat(db.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue())
        .isEqualTo(50);
    assertThat(cluster(snapshot("", ""), WEB).hasOutlierDetection()).isFalse();
  }

  @Test
  void tcpKeepaliveIsTheMeshsWithTheRulesFieldsOnTop() {
    MeshSnapshot s =
        snapshot(
            "tcpKeepalive: {time: 30s, probes: 3}",
            """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: db, namespace: shop}
            spec:
              host: db
              trafficPolicy: {connectionPool: {tcp: {tcpKeepalive: {interval: 5s, probes: 9}}}}
            """);
    var web = cluster(s, WEB).getUpstreamConnectionOptions().getTcpKeepalive();
    assertThat(web.getKeepaliveTime().getValue()).isEqualTo(30);
    assertThat(web.getKeepaliveProbes().getValue()).isEqualTo(3);
    var db = cluster(s, DB).getUpstreamConnectionOptions().getTcpKeepalive();
    assertThat(db.getKeepaliveTime().getValue()).isEqualTo(30);
    assertThat(db.getKeepaliveProbes().getValue()).isEqualTo(9);
    assertThat(db.getKeepaliveInterval().getValue()).isEqualTo(5);
    assertThat(cluster(snapshot("", ""), WEB).hasUpstreamConnectionOptions()).isFalse();
  }

  @Test
  void dnsRefreshRateAndProtocolDetectionTimeoutReachTheirResources() {
    MeshSnapshot s = snapshot("dnsRefreshRate: 5s\nprotocolDetectionTimeout: 3s", "");
    assertThat(cluster(s, "outbound|443||api.example.com").getDnsRefreshRate().getSeconds())
        .isEqualTo(5);
    assertThat(
            cluster(snapshot("", ""), "outbound|443||api.example.com")
                .getDnsRefreshRate()
                .getSeconds())
        .isEqualTo(60);
    Listener inbound = (Listener) generate(s, XdsType.LISTENER, "shop").get("virtualInbound");
    assertThat(inbound.getListenerFiltersTimeout().getSeconds()).isEqualTo(3);
  }

  @Test
  void defaultExportToHidesWhatSetsNoExportToFromOtherNamespaces() {
    String rules =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec: {host: web.shop.svc.cluster.local, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 4}}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: db, namespace: shop}
        spec:
          host: db.shop.svc.cluster.local
          exportTo: ["*"]
          trafficPolicy: {outlierDetection: {consecutive5xxErrors: 4}}
        """;
    MeshSnapshot open = snapshot("", rules);
    MeshSnapshot local = snapshot("defaultDestinationRuleExportTo: [\".\"]", rules);
    Map<String, Message> fromOther = generate(local, XdsType.CLUSTER, "other");
    assertThat(((Cluster) fromOther.get(WEB)).hasOutlierDetection()).isFalse();
    assertThat(((Cluster) fromOther.get(DB)).hasOutlierDetection()).isTrue();
    assertThat(((Cluster) generate(open, XdsType.CLUSTER, "other").get(WEB)).hasOutlierDetection())
        .isTrue();
    assertThat(cluster(local, WEB).hasOutlierDetection()).isTrue();

    MeshSnapshot services = snapshot("defaultServiceExportTo: [\".\"]", "");
    assertThat(generate(services, XdsType.CLUSTER, "other")).doesNotContainKey(WEB);
    assertThat(generate(services, XdsType.CLUSTER, "shop")).containsKey(WEB);
  }
}
