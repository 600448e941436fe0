package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.PeerAuthenticationPolicy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.Unpack;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Outbound cluster TLS decided case by case: SANs and SNI of Istio mutual TLS, DestinationRule
 * overrides, auto-mTLS on headless (ORIGINAL_DST) services, and when auto-mTLS must not upgrade.
 */
class ClusterTlsTest {
  private static final String PROXY =
      "id: sidecar~10.9.0.1~client-0.app~app.svc.cluster.local\n"
          + "metadata: {NAMESPACE: app, INSTANCE_IPS: 10.9.0.1}\n";

  /** api (two ports, three pods with two service accounts, one pod without a sidecar). */
  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: app}
      spec:
        clusterIP: 10.96.9.1
        ports:
        - {name: http, port: 80}
        - {name: grpc, port: 90}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: api-1
        namespace: app
        labels: {kubernetes.io/service-name: api}
      addressType: IPv4
      ports:
      - {name: http, port: 80}
      - {name: grpc, port: 90}
      endpoints:
      - addresses: ["10.9.1.1"]
        targetRef: {kind: Pod, name: api-b}
      - addresses: ["10.9.1.2"]
        targetRef: {kind: Pod, name: api-a}
      - addresses: ["10.9.1.3"]
        targetRef: {kind: Pod, name: api-c}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: api-a
        namespace: app
        labels: {security.istio.io/tlsMode: istio}
      spec: {serviceAccountName: zeta}
      status: {podIP: 10.9.1.2}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: api-b
        namespace: app
        labels: {security.istio.io/tlsMode: istio}
      spec: {serviceAccountName: alpha}
      status: {podIP: 10.9.1.1}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: api-c, namespace: app}
      spec: {serviceAccountName: alpha}
      status: {podIP: 10.9.1.3}
      """;

  private static final String HEADLESS =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: app}
      spec:
        clusterIP: None
        ports:
        - {name: tcp, port: 5432}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: db-1
        namespace: app
        labels: {kubernetes.io/service-name: db}
      addressType: IPv4
      ports:
      - {name: tcp, port: 5432}
      endpoints:
      - addresses: ["10.9.2.1"]
        targetRef: {kind: Pod, name: api-a}
      """;

  private static Map<String, Cluster> clusters(
      MeshConfig mesh, List<PeerAuthenticationPolicy> policies, String... yaml) {
    List<ConfigObject> objects = new ArrayList<>();
    for (String y : yaml) {
      objects.addAll(MeshFixture.objects(y, "test"));
    }
    MeshSnapshot snapshot = MeshSnapshot.build(mesh, objects, policies);
    Map<String, Cluster> out = new java.util.TreeMap<>();
    ClusterTranslator.outbound(SidecarScope.of(snapshot, MeshFixture.proxy(PROXY)))
        .forEach(c -> out.put(c.getName(), c));
    return out;
  }

  private static Map<String, Cluster> clusters(String... yaml) {
    return clusters(MeshConfig.DEFAULT, List.of(), yaml);
  }

  private static UpstreamTlsContext tls(Cluster c) {
    return Unpack.of(c.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
  }

  private static UpstreamTlsContext autoTls(Cluster c) {
    assertThat(c.getTransportSocketMatchesList())
        .extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
    return Unpack.of(
        c.getTransportSocketMatches(0).getTransportSocket().getTypedConfig(),
        UpstreamTlsContext.class);
  }

  private static List<String> sans(UpstreamTlsContext t) {
    return t
        .getCommonTlsContext()
        .getCombinedValidationContext()
        .getDefaultValidationContext()
        .getMatchSubjectAltNamesList()
        .stream()
        .map(StringMatcher::getExact)
        .toList();
  }

  @Test
  void autoMtlsVerifiesEveryServiceAccountBehindTheServiceSortedAndOnce() {
    Map<String, Cluster> c = clusters(MESH);
    UpstreamTlsContext t = autoTls(c.get("outbound|80||api.app.svc.cluster.local"));
    assertThat(sans(t))
        .containsExactly(
            "spiffe://cluster.local/ns/app/sa/alpha", "spiffe://cluster.local/ns/app/sa/zeta");
    assertThat(t.getSni()).isEqualTo("outbound_.80_._.api.app.svc.cluster.local");
    assertThat(c.get("outbound|80||api.app.svc.cluster.local").hasTransportSocket()).isFalse();
    // The plaintext fallback matches everything else.
    assertThat(c.get("outbound|80||api.app.svc.cluster.local").getTransportSocketMatches(1))
        .satisfies(
            m -> {
              assertThat(m.getMatch().getFieldsCount()).isZero();
              assertThat(m.getTransportSocket().getName())
                  .isEqualTo("envoy.transport_sockets.raw_buffer");
            });
  }

  @Test
  void aTrustDomainChangesTheSpiffeIds() {
    MeshConfig d = MeshConfig.DEFAULT;
    MeshConfig mesh =
        new MeshConfig(
            "corp.example",
            d.domainSuffix(),
            d.rootNamespace(),
            d.outboundTrafficPolicy(),
            d.connectTimeout(),
            true);
    assertThat(
            sans(
                autoTls(
                    clusters(mesh, List.of(), MESH).get("outbound|90||api.app.svc.cluster.local"))))
        .containsExactly(
            "spiffe://corp.example/ns/app/sa/alpha", "spiffe://corp.example/ns/app/sa/zeta");
  }

  @Test
  void istioMutualUsesTheRulesSniAndSansWhenGivenAndSubsetSni() {
    String dr =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api, namespace: app}
        spec:
          host: api.app.svc.cluster.local
          trafficPolicy:
            tls: {mode: ISTIO_MUTUAL}
            portLevelSettings:
            - port: {number: 90}
              tls:
                mode: ISTIO_MUTUAL
                sni: custom.example
                subjectAltNames: ["spiffe://other/ns/x/sa/y"]
          subsets:
          - name: v1
            labels: {version: v1}
        """;
    Map<String, Cluster> c = clusters(MESH, dr);
    Cluster c80 = c.get("outbound|80||api.app.svc.cluster.local");
    assertThat(c80.getTransportSocketMatchesCount()).isZero();
    assertThat(tls(c80).getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "istio");
    assertThat(tls(c.get("outbound|80|v1|api.app.svc.cluster.local")).getSni())
        .isEqualTo("outbound_.80_.v1_.api.app.svc.cluster.local");
    UpstreamTlsContext t90 = tls(c.get("outbound|90||api.app.svc.cluster.local"));
    assertThat(t90.getSni()).isEqualTo("custom.example");
    assertThat(sans(t90)).containsExactly("spiffe://other/ns/x/sa/y");
    // grpc-named port: HTTP/2 upstream, so h2 joins the in-mesh ALPN.
    assertThat(
            tls(c.get("outbound|90|v1|api.app.svc.cluster.local"))
                .getCommonTlsContext()
                .getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "istio", "h2");
  }

  @Test
  void mutualWithACredentialNameLeavesASidecarClusterPlaintextLikeIstio() {
    String dr =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api, namespace: app}
        spec:
          host: api.app.svc.cluster.local
          trafficPolicy:
            tls: {mode: MUTUAL, credentialName: api-client}
        """;
    Cluster c = clusters(MESH, dr).get("outbound|80||api.app.svc.cluster.local");
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesCount()).isZero();
  }

  @Test
  void headlessServicesUpgradeOnlyWhenEveryEndpointHasASidecar() {
    Cluster db = clusters(MESH, HEADLESS).get("outbound|5432||db.app.svc.cluster.local");
    assertThat(db.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(db.getTransportSocketMatchesCount()).isZero();
    assertThat(tls(db).getSni()).isEqualTo("outbound_.5432_._.db.app.svc.cluster.local");
    String withoutSidecar = HEADLESS.replace("name: api-a", "name: api-c");
    Cluster plain = clusters(MESH, withoutSidecar).get("outbound|5432||db.app.svc.cluster.local");
    assertThat(plain.hasTransportSocket()).isFalse();
  }

  @Test
  void namespaceOrMeshDisableTurnsAutoMtlsOffButAWorkloadPolicyDoesNot() {
    String api = "outbound|80||api.app.svc.cluster.local";
    Cluster meshWide =
        clusters(
                MeshConfig.DEFAULT,
                List.of(
                    PeerAuthenticationPolicy.namespaceWide("istio-system", "m", MtlsMode.DISABLE)),
                MESH)
            .get(api);
    assertThat(meshWide.getTransportSocketMatchesCount()).isZero();
    Cluster overridden =
        clusters(
                MeshConfig.DEFAULT,
                List.of(
                    PeerAuthenticationPolicy.namespaceWide("istio-system", "m", MtlsMode.DISABLE),
                    PeerAuthenticationPolicy.namespaceWide("app", "n", MtlsMode.STRICT)),
                MESH)
            .get(api);
    assertThat(overridden.getTransportSocketMatchesCount()).isEqualTo(2);
    Cluster workload =
        clusters(
                MeshConfig.DEFAULT,
                List.of(
                    new PeerAuthenticationPolicy(
                        "app", "w", Optional.of(Map.of("app", "api")), MtlsMode.DISABLE, Map.of())),
                MESH)
            .get(api);
    assertThat(workload.getTransportSocketMatchesCount()).isEqualTo(2);
  }

  @Test
  void theMeshCanTurnAutoMtlsOff() {
    MeshConfig d = MeshConfig.DEFAULT;
    MeshConfig off =
        new MeshConfig(
            d.trustDomain(),
            d.domainSuffix(),
            d.rootNamespace(),
            d.outboundTrafficPolicy(),
            d.connectTimeout(),
            false);
    assertThat(clusters(off, List.of(), MESH, HEADLESS).values())
        .allSatisfy(
            c -> {
              assertThat(c.hasTransportSocket()).as(c.getName()).isFalse();
              assertThat(c.getTransportSocketMatchesCount()).as(c.getName()).isZero();
            });
  }
}
