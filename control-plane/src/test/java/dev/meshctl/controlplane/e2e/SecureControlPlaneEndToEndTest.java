package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.security.SecuritySettings;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure side of a real control plane on ephemeral ports (Kubernetes source on the fabric8 mock
 * API server, which also answers TokenReviews; CA in a directory): a workload gets a certificate
 * over TLS exactly as istio-agent asks for it, uses it for ADS over mutual TLS, cannot claim
 * another namespace, cannot talk plaintext to the secure port; the root survives a restart; the
 * webhook answers a real HTTPS AdmissionReview with a JSONPatch.
 */
@EnableKubernetesMockClient(crud = true)
class SecureControlPlaneEndToEndTest {
  private static final String ISTIOD_HOST = "istiod.istio-system.svc";
  private static final String TOKEN = "token-of-shop-reviews";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String REVIEWS_NODE =
      "sidecar~10.0.0.5~reviews-v1-abc.shop~shop.svc.cluster.local";
  private static final String FOREIGN_NODE =
      "sidecar~10.0.0.6~billing-1.payments~payments.svc.cluster.local";

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path caDir;
  @TempDir Path work;

  private ControlPlane cp;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void setUp() {
    // The API server's TokenReview: one known token, for audience istio-ca only.
    server
        .expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(
            201,
            request -> {
              TokenReview asked =
                  Serialization.unmarshal(request.getBody().readUtf8(), TokenReview.class);
              boolean ok =
                  TOKEN.equals(asked.getSpec().getToken())
                      && asked.getSpec().getAudiences().contains("istio-ca");
              return new TokenReviewBuilder()
                  .withNewStatus()
                  .withAuthenticated(ok)
                  .withNewUser()
                  .withUsername(ok ? "system:serviceaccount:shop:reviews" : "")
                  .endUser()
                  .withAudiences(ok ? List.of("istio-ca") : List.of())
                  .withError(ok ? null : "invalid bearer token")
                  .endStatus()
                  .build();
            })
        .always();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .addToLabels("istio-injection", "enabled")
                .endMetadata()
                .build())
        .create();
    client
        .services()
        .inNamespace("shop")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("ratings")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.3.3")
                .addToSelector("app", "ratings")
                .addNewPort()
                .withName("http")
                .withPort(9080)
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
  }

  private ControlPlane start(Optional<Path> injectorValues) throws IOException {
    return ControlPlane.start(
        new ControlPlane.Settings(
            Optional.empty(),
            0,
            0,
            new PushLoop.Settings(Duration.ofMillis(10), Duration.ofSeconds(1)),
            Optional.of(KubernetesSource.Settings.DEFAULT),
            Optional.of(
                new SecuritySettings(
                    Optional.of(caDir),
                    "cluster.local",
                    "istio-system",
                    0,
                    0,
                    injectorValues,
                    Optional.empty()))),
        AdsXdsFrontend.factory(Clock.systemUTC()),
        Clock.systemUTC(),
        settings -> server.createClient());
  }

  private X509Certificate rootInCaDir() throws Exception {
    return Pem.certificates(Files.readAllBytes(caDir.resolve("ca-cert.pem"))).get(0);
  }

  private ManagedChannel channel(ChannelCredentials creds) {
    ManagedChannel c =
        Grpc.newChannelBuilder("localhost:" + cp.secure().orElseThrow().port(), creds)
            .overrideAuthority(ISTIOD_HOST)
            .build();
    channels.add(c);
    return c;
  }

  /** What istio-agent does: a fresh P-256 key, a CSR with its SPIFFE ID, the Bearer token. */
  private record Issued(PrivateKey key, List<X509Certificate> chain) {}

  private Issued createCertificate(String token) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    ExtensionsGenerator ext = new ExtensionsGenerator();
    ext.addExtension(
        Extension.subjectAlternativeName,
        true,
        new GeneralNames(
            new GeneralName(
                GeneralName.uniformResourceIdentifier,
                "spiffe://cluster.local/ns/shop/sa/reviews")));
    String csr =
        Pem.encode(
            new JcaPKCS10CertificationRequestBuilder(new X500Name(""), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    ManagedChannel ch =
        channel(TlsChannelCredentials.newBuilder().trustManager(rootPemStream()).build());
    IstioCertificateResponse response =
        IstioCertificateServiceGrpc.newBlockingStub(ch)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .createCertificate(
                IstioCertificateRequest.newBuilder().setCsr(csr).setValidityDuration(3600).build());
    List<X509Certificate> chain = new ArrayList<>();
    for (String pem : response.getCertChainList()) {
      chain.addAll(Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII)));
    }
    return new Issued(keys.getPrivate(), chain);
  }

  private InputStream rootPemStream() throws IOException {
    return new ByteArrayInputStream(Files.readAllBytes(caDir.resolve("ca-cert.pem")));
  }

  @Test
  void aWorkloadGetsACertificateAndUsesItForAdsOverMutualTls() throws Exception {
    cp = start(Optional.empty());
    assertThat(cp.startupLine())
        .contains(
            "secure xds/ca port "
                + cp.secure().orElseThrow().port()
                + " (TLS, trust domain cluster.local), webhook port "
                + cp.webhookPort().orElseThrow()
                + " (HTTPS /inject, /validate)");

    Issued issued = createCertificate(TOKEN);

    // The chain verifies against the root the CA persisted in --ca-dir.
    X509Certificate root = rootInCaDir();
    List<X509Certificate> path = new ArrayList<>(issued.chain());
    path.remove(root);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    assertThat(issued.chain().get(0).getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/sa/reviews"));

    // ADS over mutual TLS with that certificate, as the proxy of shop/reviews.
    ChannelCredentials mtls =
        TlsChannelCredentials.newBuilder()
            .keyManager(
                new ByteArrayInputStream(
                    Pem.encodeAll(issued.chain()).getBytes(StandardCharsets.US_ASCII)),
                new ByteArrayInputStream(
                    Pem.encode(issued.key()).getBytes(StandardCharsets.US_ASCII)))
            .trustManager(rootPemStream())
            .build();
    try (AdsTestClient proxy = new AdsTestClient(channel(mtls), AdsTestClient.node(REVIEWS_NODE))) {
      proxy.request(XdsType.CLUSTER, List.of());
      DiscoveryResponse cds = proxy.awaitResponse(0);
      List<String> names = new ArrayList<>();
      for (Any any : cds.getResourcesList()) {
        names.add(any.unpack(Cluster.class).getName());
      }
      assertThat(names).contains("outbound|9080||ratings.shop.svc.cluster.local");
    }

    // The same identity may not claim a node of another namespace.
    try (AdsTestClient impostor =
        new AdsTestClient(channel(mtls), AdsTestClient.node(FOREIGN_NODE))) {
      impostor.request(XdsType.CLUSTER, List.of());
      Status status = impostor.awaitSotwClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription())
          .isEqualTo(
              "node \""
                  + FOREIGN_NODE
                  + "\" claims namespace \"payments\", but the caller is service account"
                  + " \"reviews\" of namespace \"shop\"; a proxy may only claim its own namespace");
    }
  }

  @Test
  void adsOnTheSecurePortNeedsCredentialsAndTls() throws Exception {
    cp = start(Optional.empty());

    // TLS but no client certificate and no token: not authenticated.
    ManagedChannel tlsOnly =
        channel(TlsChannelCredentials.newBuilder().trustManager(rootPemStream()).build());
    try (AdsTestClient anonymous = new AdsTestClient(tlsOnly, AdsTestClient.node(REVIEWS_NODE))) {
      anonymous.request(XdsType.CLUSTER, List.of());
      Status status = anonymous.awaitSotwClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(status.getDescription())
          .isEqualTo(
              "no credentials: send a client certificate issued by this CA or 'authorization:"
                  + " Bearer <Kubernetes service account token>'");
    }

    // A token the API server rejects is refused by the CA.
    assertThatThrownBy(() -> createCertificate("stolen"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "authentication failed: kubernetes-jwt: the token was rejected: invalid"
                          + " bearer token");
            });

    // Plaintext to the TLS port does not get through at all.
    ManagedChannel plaintext = channel(InsecureChannelCredentials.create());
    assertThatThrownBy(
            () ->
                IstioCertificateServiceGrpc.newBlockingStub(plaintext)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .createCertificate(IstioCertificateRequest.newBuilder().setCsr("x").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aRestartWithTheSameCaDirKeepsTheRoot() throws Exception {
    cp = start(Optional.empty());
    X509Certificate first = cp.secure().orElseThrow().ca().keyMaterial().anchor();
    byte[] keyBytes = Files.readAllBytes(caDir.resolve("ca-key.pem"));
    assertThat(rootInCaDir()).isEqualTo(first);
    cp.close();

    cp = start(Optional.empty());

    assertThat(cp.secure().orElseThrow().ca().keyMaterial().anchor()).isEqualTo(first);
    assertThat(Files.readAllBytes(caDir.resolve("ca-key.pem"))).isEqualTo(keyBytes);
    // And the new instance issues under it.
    List<X509Certificate> chain = createCertificate(TOKEN).chain();
    assertThat(chain.get(chain.size() - 1)).isEqualTo(first);
  }

  @Test
  void theWebhookAnswersAnHttpsAdmissionReviewWithAJsonPatch() throws Exception {
    Path values = work.resolve("injector.yaml");
    Files.writeString(
        values,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: istio-sidecar-injector
          namespace: istio-system
        data:
          values: |
            global:
              tag: 9.9.9-test
        """);
    cp = start(Optional.of(values));

    String review =
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
         "request":{"uid":"e911857d-c318-11e8-bbad-025000000001",
          "kind":{"group":"","version":"v1","kind":"Pod"},
          "resource":{"group":"","version":"v1","resource":"pods"},
          "namespace":"shop","operation":"CREATE",
          "object":{"apiVersion":"v1","kind":"Pod",
            "metadata":{"name":"ratings-1","namespace":"shop","labels":{"app":"ratings"}},
            "spec":{"containers":[{"name":"ratings","image":"ratings:1",
              "ports":[{"containerPort":9080}]}]}}}}
        """;
    JsonNode reply = post("/inject", review);
    JsonNode response = reply.path("response");
    assertThat(response.path("uid").asText()).isEqualTo("e911857d-c318-11e8-bbad-025000000001");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    String patch =
        new String(
            Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
    JsonNode ops = new ObjectMapper().readTree(patch);
    assertThat(ops.isArray()).isTrue();
    // Values from --injector-values, the CA address of this control plane.
    assertThat(patch)
        .contains("docker.io/istio/proxyv2:9.9.9-test")
        .contains("istiod.istio-system.svc:15012")
        .contains("\"name\":\"istio-proxy\"");
  }

  private static String injectorConfigMap(String values) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio-sidecar-injector, namespace: istio-system}
        data:
          values: |
        """
        + values.indent(4);
  }

  /** The decoded JSONPatch the webhook answers for a plain Pod. */
  private String injectionPatch() throws Exception {
    String review =
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
         "request":{"uid":"u-inject","operation":"CREATE",
          "kind":{"group":"","version":"v1","kind":"Pod"},
          "namespace":"shop",
          "object":{"apiVersion":"v1","kind":"Pod",
            "metadata":{"name":"ratings-1","namespace":"shop","labels":{"app":"ratings"}},
            "spec":{"containers":[{"name":"ratings","image":"ratings:1"}]}}}}
        """;
    JsonNode response = post("/inject", review).path("response");
    return new String(
        Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
  }

  @Test
  void aChangedInjectorConfigFileAppliesToTheNextReviewAndABrokenOneKeepsTheLastGood()
      throws Exception {
    Path values = work.resolve("injector.yaml");
    Files.writeString(values, injectorConfigMap("global: {tag: 1.0.0-before}"));
    cp = start(Optional.of(values));
    assertThat(injectionPatch()).contains("docker.io/istio/proxyv2:1.0.0-before");

    // As a ConfigMap update lands in the mount: no restart.
    Files.writeString(values, injectorConfigMap("global: {tag: 2.0.0-after}"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> injectionPatch().contains("docker.io/istio/proxyv2:2.0.0-after"));

    // Broken: the last good config stays (checked for longer than the watch's settle time).
    Files.writeString(values, injectorConfigMap("global: [unclosed"));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(20))
        .until(() -> injectionPatch().contains("docker.io/istio/proxyv2:2.0.0-after"));

    // And a good one after the broken one is taken again.
    Files.writeString(values, injectorConfigMap("global: {tag: 3.0.0-fixed}"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> injectionPatch().contains("docker.io/istio/proxyv2:3.0.0-fixed"));
  }

  @Test
  void theValidatingWebhookRefusesAnInvalidVirtualServiceWithTheValidatorsMessages()
      throws Exception {
    cp = start(Optional.empty());
    String review =
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
         "request":{"uid":"u-1","operation":"CREATE",
          "object":{"apiVersion":"networking.istio.io/v1","kind":"VirtualService",
            "metadata":{"name":"reviews","namespace":"shop"},
            "spec":{"hosts":["reviews"],"http":[{"route":[
              {"destination":{"host":"reviews"},"weight":-3}]}]}}}}
        """;

    JsonNode response = post("/validate", review).path("response");

    assertThat(response.path("uid").asText()).isEqualTo("u-1");
    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("message").asText())
        .isEqualTo(
            "VirtualService shop/reviews: spec.http[0].route[0].weight: must be >= 0, got -3");

    String service = review.replace("\"weight\":-3", "\"weight\":100").replace("u-1", "u-2");
    JsonNode ok = post("/validate", service).path("response");
    assertThat(ok.path("uid").asText()).isEqualTo("u-2");
    assertThat(ok.path("allowed").asBoolean()).isTrue();
    assertThat(ok.has("status")).isFalse();
  }

  /** POSTs JSON over HTTPS to the webhook port, trusting only the CA root and istiod's name. */
  private JsonNode post(String path, String json) throws Exception {
    HttpsURLConnection http =
        (HttpsURLConnection)
            new URL("https://localhost:" + cp.webhookPort().orElseThrow() + path).openConnection();
    http.setSSLSocketFactory(trustingRoot().getSocketFactory());
    // The serving certificate names istiod's Service, as the API server dials it; accept exactly
    // that name instead of "localhost".
    http.setHostnameVerifier((host, session) -> presents(session, ISTIOD_HOST));
    http.setRequestMethod("POST");
    http.setDoOutput(true);
    http.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = http.getOutputStream()) {
      out.write(json.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(http.getResponseCode()).isEqualTo(200);
    try (InputStream in = http.getInputStream()) {
      return new ObjectMapper().readTree(in);
    }
  }

  private static boolean presents(javax.net.ssl.SSLSession session, String dnsName) {
    try {
      X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
      return leaf.getSubjectAlternativeNames().contains(List.of(2, dnsName));
    } catch (Exception e) {
      return false;
    }
  }

  private SSLContext trustingRoot() throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("root", rootInCaDir());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
