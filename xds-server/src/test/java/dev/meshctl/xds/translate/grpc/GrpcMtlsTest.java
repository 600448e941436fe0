package dev.meshctl.xds.translate.grpc;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.REVIEWS_FQDN;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.PeerAuthenticationPolicy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS in proxyless gRPC output: DestinationRule TLS modes on clusters and PeerAuthentication
 * modes on server listeners, in the certificate-provider form grpc reads.
 */
class GrpcMtlsTest {
  private static final String REVIEWS_9080 = "outbound|9080||" + REVIEWS_FQDN;
  private static final String REVIEWS_8080 = "outbound|8080||" + REVIEWS_FQDN;
  private static final String V1 = "outbound|9080|v1|" + REVIEWS_FQDN;
  private static final String SERVER = "xds.istio.io/grpc/lds/inbound/0.0.0.0:50051";
  private static final String SERVER_2 = "xds.istio.io/grpc/lds/inbound/0.0.0.0:50052";
  private static final Map<String, String> SERVER_LABELS = Map.of("app", "reviews");

  /** A second reviews pod with service account {@code alpha}, so SANs show their order. */
  private static final String ALPHA_POD =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: reviews-2, namespace: default, labels: {app: reviews}}
      spec:
        serviceAccountName: alpha
        containers: [{name: app, ports: [{name: grpc, containerPort: 9080}]}]
      status: {podIP: 10.0.0.2}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: reviews-def
        namespace: default
        labels: {kubernetes.io/service-name: reviews}
      addressType: IPv4
      ports: [{name: grpc, port: 9080}]
      endpoints:
      - addresses: [10.0.0.2]
        conditions: {ready: false}
        targetRef: {kind: Pod, namespace: default, name: reviews-2}
      """;

  @Test
  void istioMutualGivesAnUpstreamTlsContextOverTheDefaultProviderWithSortedSans() throws Exception {
    MeshSnapshot s = snapshot(MeshConfig.DEFAULT, List.of(), dr("tls: {mode: ISTIO_MUTUAL}"));

    UpstreamTlsContext tls = upstream(cluster(s, REVIEWS_9080)).orElseThrow();

    assertThat(tls.getSni()).isEmpty();
    CommonTlsContext common = tls.getCommonTlsContext();
    assertProviders(common);
    // Every pod behind the port counts, ready or not: a certificate does not depend on readiness.
    assertThat(common.getValidationContext())
        .satisfies(
            v ->
                assertThat(v.getMatchSubjectAltNamesList())
                    .extracting(StringMatcher::getExact)
                    .containsExactly(
                        "spiffe://cluster.local/ns/default/sa/alpha",
                        "spiffe://cluster.local/ns/default/sa/reviews"));
    // The subset cluster inherits the rule's mode and checks the same identities.
    assertThat(upstream(cluster(s, V1))).contains(tls);
  }

  @Test
  void theTrustDomainComesFromTheMeshConfig() throws Exception {
    MeshConfig mesh =
        new MeshConfig(
            "example.org",
            "cluster.local",
            "istio-system",
            MeshConfig.OutboundTrafficPolicy.ALLOW_ANY,
            Duration.ofSeconds(10),
            true);
    MeshSnapshot s = snapshot(mesh, List.of(), dr("tls: {mode: ISTIO_MUTUAL}"));
    assertThat(
            upstream(cluster(s, REVIEWS_9080))
                .orElseThrow()
                .getCommonTlsContext()
                .getValidationContext()
                .getMatchSubjectAltNamesList())
        .extracting(StringMatcher::getExact)
        .containsExactly(
            "spiffe://example.org/ns/default/sa/alpha",
            "spiffe://example.org/ns/default/sa/reviews");
  }

  @Test
  void disableSimpleAndNoRuleArePlaintextAndNoAutoMtls() throws Exception {
    // Auto-mTLS is on in the default mesh config and every pod is a mesh pod, yet grpc clusters
    // only use TLS when a DestinationRule asks for ISTIO_MUTUAL.
    assertThat(upstream(cluster(snapshot(MeshConfig.DEFAULT, List.of()), REVIEWS_9080))).isEmpty();
    for (String tls :
        List.of(
            "{mode: DISABLE}",
            "{mode: SIMPLE}",
            "{mode: MUTUAL, credentialName: reviews-client}")) {
      MeshSnapshot s = snapshot(MeshConfig.DEFAULT, List.of(), dr("tls: " + tls));
      assertThat(upstream(cluster(s, REVIEWS_9080))).as(tls).isEmpty();
    }
  }

  @Test
  void portLevelAndSubsetSettingsOverrideTheRulesMode() throws Exception {
    MeshSnapshot s =
        snapshot(
            MeshConfig.DEFAULT,
            List.of(),
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                tls: {mode: ISTIO_MUTUAL}
                portLevelSettings:
                - port: {number: 9080}
                  tls: {mode: DISABLE}
              subsets:
              - name: v1
                labels: {app: reviews}
                trafficPolicy:
                  tls: {mode: ISTIO_MUTUAL}
            """);
    assertThat(upstream(cluster(s, REVIEWS_9080))).isEmpty();
    assertThat(upstream(cluster(s, REVIEWS_8080))).isPresent();
    assertThat(upstream(cluster(s, V1))).isPresent();
  }

  @Test
  void serverListenerModes() throws Exception {
    // No policy: PERMISSIVE, which grpc cannot serve; plaintext unless the pod is labelled as
    // a mesh pod (then its clients upgrade to mTLS).
    MeshSnapshot none = snapshot(MeshConfig.DEFAULT, List.of());
    assertThat(chain(none, SERVER_LABELS, SERVER).getName()).isEqualTo("inbound-plaintext");
    assertThat(chain(none, SERVER_LABELS, SERVER).hasTransportSocket()).isFalse();
    Map<String, String> meshPod = Map.of("app", "reviews", "security.istio.io/tlsMode", "istio");
    assertThat(chain(none, meshPod, SERVER).getName()).isEqualTo("inbound-mtls");

    // STRICT namespace-wide: mTLS whatever the labels.
    MeshSnapshot strict =
        snapshot(
            MeshConfig.DEFAULT,
            List.of(PeerAuthenticationPolicy.namespaceWide("default", "strict", MtlsMode.STRICT)));
    FilterChain mtls = chain(strict, SERVER_LABELS, SERVER);
    assertThat(mtls.getName()).isEqualTo("inbound-mtls");
    assertThat(mtls.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    DownstreamTlsContext tls =
        mtls.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
    assertProviders(tls.getCommonTlsContext());
    // grpc refuses SAN matchers on a server.
    assertThat(tls.getCommonTlsContext().getValidationContext().getMatchSubjectAltNamesList())
        .isEmpty();

    // DISABLE beats the label.
    MeshSnapshot disabled =
        snapshot(
            MeshConfig.DEFAULT,
            List.of(
                PeerAuthenticationPolicy.namespaceWide("istio-system", "mesh", MtlsMode.DISABLE)));
    assertThat(chain(disabled, meshPod, SERVER).getName()).isEqualTo("inbound-plaintext");
  }

  @Test
  void workloadAndPortLevelPoliciesSelectByTheProxysLabelsAndBoundPort() throws Exception {
    MeshSnapshot s =
        snapshot(
            MeshConfig.DEFAULT,
            List.of(
                new PeerAuthenticationPolicy(
                    "default",
                    "reviews",
                    Optional.of(Map.of("app", "reviews")),
                    MtlsMode.STRICT,
                    Map.of(50052, MtlsMode.DISABLE))));
    assertThat(chain(s, SERVER_LABELS, SERVER).getName()).isEqualTo("inbound-mtls");
    assertThat(chain(s, SERVER_LABELS, SERVER_2).getName()).isEqualTo("inbound-plaintext");
    // Another workload in the namespace is not selected: PERMISSIVE, unlabelled, plaintext.
    assertThat(chain(s, Map.of("app", "ratings"), SERVER).getName()).isEqualTo("inbound-plaintext");
  }

  @Test
  void proxiesSharingATranslationContextGetTheirOwnServerMode() throws Exception {
    MeshSnapshot s =
        snapshot(
            MeshConfig.DEFAULT,
            List.of(
                new PeerAuthenticationPolicy(
                    "default",
                    "reviews",
                    Optional.of(Map.of("app", "reviews")),
                    MtlsMode.STRICT,
                    Map.of())));
    TranslationContext shared = new TranslationContext(s);
    assertThat(serverChain(shared, SERVER_LABELS, SERVER).getName()).isEqualTo("inbound-mtls");
    assertThat(serverChain(shared, Map.of("app", "other"), SERVER).getName())
        .isEqualTo("inbound-plaintext");
  }

  @Test
  void envoysRulesAcceptTheTlsResourcesSoTheAdsServerSendsThem() {
    var validator = new dev.meshctl.xds.validate.PgvValidator();
    MeshSnapshot s = snapshot(MeshConfig.DEFAULT, List.of(), dr("tls: {mode: ISTIO_MUTUAL}"));
    assertThat(validator.validate(cluster(s, REVIEWS_9080))).isEmpty();
    Message listener =
        new GrpcGenerator()
            .generate(
                new TranslationContext(s),
                GrpcMeshFixture.proxy(
                    "default", Map.of("app", "reviews", "security.istio.io/tlsMode", "istio")),
                XdsType.LISTENER,
                Subscription.names(Set.of(SERVER)))
            .get(SERVER);
    assertThat(validator.validate(listener)).isEmpty();
  }

  private static void assertProviders(CommonTlsContext common) {
    assertThat(common.getTlsCertificateProviderInstance().getInstanceName()).isEqualTo("default");
    assertThat(common.getTlsCertificateProviderInstance().getCertificateName())
        .isEqualTo("default");
    var ca = common.getValidationContext().getCaCertificateProviderInstance();
    assertThat(ca.getInstanceName()).isEqualTo("default");
    assertThat(ca.getCertificateName()).isEqualTo("ROOTCA");
    // The same references in the fields older grpc releases read.
    assertThat(common.getTlsCertificateCertificateProviderInstance().getInstanceName())
        .isEqualTo("default");
    assertThat(common.getTlsCertificateCertificateProviderInstance().getCertificateName())
        .isEqualTo("default");
  }

  private static Cluster cluster(MeshSnapshot s, String name) {
    Message m = GrpcMeshFixture.generate(s, "default", XdsType.CLUSTER, name).get(name);
    assertThat(m).as(name).isNotNull();
    return (Cluster) m;
  }

  private static Optional<UpstreamTlsContext> upstream(Cluster c) throws Exception {
    if (!c.hasTransportSocket()) {
      return Optional.empty();
    }
    assertThat(c.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    return Optional.of(c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class));
  }

  private static FilterChain chain(MeshSnapshot s, Map<String, String> labels, String name) {
    return serverChain(new TranslationContext(s), labels, name);
  }

  private static FilterChain serverChain(
      TranslationContext context, Map<String, String> labels, String name) {
    Message m =
        new GrpcGenerator()
            .generate(
                context,
                GrpcMeshFixture.proxy("default", labels),
                XdsType.LISTENER,
                Subscription.names(Set.of(name)))
            .get(name);
    assertThat(m).as(name).isNotNull();
    Listener l = (Listener) m;
    assertThat(l.getFilterChainsList()).hasSize(1);
    return l.getFilterChains(0);
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
        """
        .formatted(trafficPolicy.strip());
  }

  private static MeshSnapshot snapshot(
      MeshConfig mesh, List<PeerAuthenticationPolicy> policies, String... docs) {
    List<ConfigObject> objects = new ArrayList<>(GrpcMeshFixture.objects());
    objects.addAll(MeshFixture.objects(ALPHA_POD, "alpha pod"));
    for (String d : docs) {
      objects.addAll(MeshFixture.objects(d, "test"));
    }
    return MeshSnapshot.build(mesh, objects, policies);
  }
}
