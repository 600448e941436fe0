package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.store.RootRotator;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.cli.Main;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDS against a real control plane (file source with a Secret YAML, CA in a directory, dev token
 * file): on the secure port a gateway of namespace shop gets its workload certificate ({@code
 * default}, verified against the root with its SPIFFE SAN), the roots ({@code ROOTCA}) and its
 * namespace's credential; the plaintext port refuses identity secrets; no private key shows in
 * debug output; {@code meshctl proxy-config secrets} prints istioctl's table.
 */
class SdsEndToEndTest {
  private static final String ISTIOD_HOST = "istiod.istio-system.svc";
  private static final String TOKEN = "token-of-shop-gateway";
  private static final String NODE = "router~10.0.0.5~gw-abc.shop~shop.svc.cluster.local";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String CRED_CHAIN = "-----BEGIN CERTIFICATE-----\nCRED-CHAIN-BYTES\n";
  private static final String CRED_KEY = "-----BEGIN PRIVATE KEY-----\nCRED-PRIVATE-KEY-BYTES\n";

  @TempDir Path caDir;
  @TempDir Path config;
  @TempDir Path work;

  private ControlPlane cp;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The gateway's node as istio-agent sends it: with its service account. */
  private static Node node(String serviceAccount) {
    Node.Builder n = AdsTestClient.node(NODE).toBuilder();
    if (!serviceAccount.isEmpty()) {
      n.setMetadata(
          Struct.newBuilder()
              .putFields(
                  "SERVICE_ACCOUNT", Value.newBuilder().setStringValue(serviceAccount).build()));
    }
    return n.build();
  }

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(
        config.resolve("cred.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: my-cred\n  namespace: shop\n"
            + "type: kubernetes.io/tls\ndata:\n  tls.crt: "
            + SecureFileMesh.b64(CRED_CHAIN)
            + "\n  tls.key: "
            + SecureFileMesh.b64(CRED_KEY)
            + "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: their-cred\n"
            + "  namespace: payments\nstringData:\n  tls.crt: THEIRS\n  tls.key: THEIR-KEY\n");
    Path tokens = work.resolve("tokens");
    Files.writeString(tokens, TOKEN + " shop gateway\n");
    cp = SecureFileMesh.start(config, caDir, tokens);
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

  private Channel secureChannel() throws Exception {
    ManagedChannel c =
        Grpc.newChannelBuilder(
                "localhost:" + cp.secure().orElseThrow().port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(
                        new ByteArrayInputStream(Files.readAllBytes(caDir.resolve("ca-cert.pem"))))
                    .build())
            .overrideAuthority(ISTIOD_HOST)
            .build();
    channels.add(c);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + TOKEN);
    return ClientInterceptors.intercept(c, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + cp.monitoringPort() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  @Test
  void gatewayGetsWorkloadCertificateRootsAndItsCredentialOnlyOnTheSecurePort() throws Exception {
    X509Certificate root =
        Pem.certificates(Files.readAllBytes(caDir.resolve("ca-cert.pem"))).get(0);
    try (AdsTestClient gw = new AdsTestClient(secureChannel(), node("gateway"))) {
      gw.request(
          XdsType.SECRET,
          List.of("default", "ROOTCA", "kubernetes://my-cred", "kubernetes://payments/their-cred"));
      Map<String, Secret> got = SecureFileMesh.secrets(gw.awaitResponse(0));
      assertThat(got).containsOnlyKeys("default", "ROOTCA", "kubernetes://my-cred");

      // default: a chain that a standard PKIX validator accepts under the root, for our identity.
      Secret def = got.get("default");
      List<X509Certificate> chain =
          Pem.certificates(
              def.getTlsCertificate().getCertificateChain().getInlineBytes().toByteArray());
      List<X509Certificate> path = new ArrayList<>(chain);
      path.remove(root);
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      assertThat(chain.get(0).getSubjectAlternativeNames())
          .containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/sa/gateway"));
      PrivateKey key =
          Pem.privateKey(def.getTlsCertificate().getPrivateKey().getInlineBytes().toByteArray());
      assertThat(key.getAlgorithm()).isEqualTo("EC");
      assertThat(Keys.matches(key, chain.get(0).getPublicKey())).isTrue();

      // ROOTCA: the root.
      List<X509Certificate> roots =
          Pem.certificates(
              got.get("ROOTCA")
                  .getValidationContext()
                  .getTrustedCa()
                  .getInlineBytes()
                  .toByteArray());
      assertThat(roots).contains(root);

      // The credential: exactly the Secret's bytes.
      Secret cred = got.get("kubernetes://my-cred");
      assertThat(cred.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8())
          .isEqualTo(CRED_CHAIN);
      assertThat(cred.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
          .isEqualTo(CRED_KEY);

      // Debug output never carries key material; the dump shows [redacted] instead.
      String workloadKeyPem =
          def.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8();
      String keyBody = workloadKeyPem.split("\n")[1];
      String dump = get("/debug/config_dump?proxyID=gw-abc.shop");
      assertThat(dump).contains("SecretsConfigDump").contains("[redacted]");
      String all = dump + get("/debug/configz") + get("/debug/registryz") + get("/debug/syncz");
      assertThat(all)
          .contains("my-cred")
          .doesNotContain("CRED-PRIVATE-KEY-BYTES")
          .doesNotContain(SecureFileMesh.b64(CRED_KEY))
          .doesNotContain("THEIR-KEY")
          .doesNotContain(keyBody)
          .doesNotContain(SecureFileMesh.b64(workloadKeyPem).substring(0, 40));

      // meshctl proxy-config secrets: istioctl's table from that dump.
      StringWriter out = new StringWriter();
      int code =
          Main.run(
              new String[] {
                "proxy-config",
                "secrets",
                "gw-abc.shop",
                "--addr",
                "localhost:" + cp.monitoringPort()
              },
              Map.of(),
              new PrintWriter(out),
              new PrintWriter(new StringWriter()),
              (settings, level, o, e) -> {
                throw new AssertionError("serve must not run");
              });
      assertThat(code).isZero();
      List<String> lines = out.toString().lines().toList();
      assertThat(lines.get(0).split("\\s{2,}"))
          .containsExactly(
              "RESOURCE NAME",
              "TYPE",
              "STATUS",
              "VALID CERT",
              "SERIAL NUMBER",
              "NOT AFTER",
              "NOT BEFORE");
      X509Certificate leaf = chain.get(0);
      assertThat(lines.get(1).split("\\s{2,}"))
          .containsExactly(
              "ROOTCA",
              "CA",
              "ACTIVE",
              "true",
              root.getSerialNumber().toString(16),
              root.getNotAfter().toInstant().toString(),
              root.getNotBefore().toInstant().toString());
      assertThat(lines.get(2).split("\\s{2,}"))
          .containsExactly(
              "default",
              "Cert Chain",
              "ACTIVE",
              "true",
              leaf.getSerialNumber().toString(16),
              leaf.getNotAfter().toInstant().toString(),
              leaf.getNotBefore().toInstant().toString());
      assertThat(lines.get(3)).startsWith("kubernetes://my-cred").contains("Cert Chain");
      assertThat(out.toString()).doesNotContain("PRIVATE KEY").doesNotContain(keyBody);
    }
  }

  @Test
  void aNodeDeclaringNoServiceAccountGetsNoWorkloadCertificate() throws Exception {
    // Its caller is shop/gateway, but the node does not say so: no identity is guessed for it.
    try (AdsTestClient gw = new AdsTestClient(secureChannel(), node(""))) {
      gw.request(XdsType.SECRET, List.of("default", "kubernetes://my-cred"));
      assertThat(SecureFileMesh.secrets(gw.awaitResponse(0)))
          .containsOnlyKeys("kubernetes://my-cred");
    }
  }

  @Test
  void thePlaintextPortRefusesIdentitySecretsButServesCredentials() throws Exception {
    ManagedChannel plain =
        Grpc.newChannelBuilder("localhost:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    channels.add(plain);
    try (AdsTestClient gw = new AdsTestClient(plain, node("gateway"))) {
      gw.request(XdsType.SECRET, List.of("default", "ROOTCA", "kubernetes://my-cred"));
      assertThat(SecureFileMesh.secrets(gw.awaitResponse(0)))
          .containsOnlyKeys("kubernetes://my-cred");
    }
  }

  @Test
  void aChangedSecretFileIsPushedToTheSubscriber() throws Exception {
    ManagedChannel plain =
        Grpc.newChannelBuilder("localhost:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    channels.add(plain);
    try (AdsTestClient gw = new AdsTestClient(plain, AdsTestClient.node(NODE))) {
      gw.request(XdsType.SECRET, List.of("kubernetes://my-cred"));
      gw.ack(gw.awaitResponse(0));
      Files.writeString(
          config.resolve("cred.yaml"),
          "apiVersion: v1\nkind: Secret\nmetadata:\n  name: my-cred\n  namespace: shop\n"
              + "stringData:\n  tls.crt: NEW-CHAIN\n  tls.key: NEW-KEY\n");
      await().atMost(Duration.ofSeconds(20)).until(() -> gw.responses().size() >= 2);
      Secret cred = SecureFileMesh.secrets(gw.responses().get(1)).get("kubernetes://my-cred");
      assertThat(cred.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8())
          .isEqualTo("NEW-CHAIN");
    }
  }

  @Test
  void aRootRotationPushesANewCertificateAndBothRootsToTheStream() throws Exception {
    X509Certificate oldRoot =
        Pem.certificates(Files.readAllBytes(caDir.resolve("ca-cert.pem"))).get(0);
    try (AdsTestClient gw = new AdsTestClient(secureChannel(), node("gateway"))) {
      gw.request(XdsType.SECRET, List.of("default", "ROOTCA"));
      DiscoveryResponse first = gw.awaitResponse(0);
      gw.ack(first);
      List<X509Certificate> oldChain = chainOf(SecureFileMesh.secrets(first).get("default"));

      assertThat(cp.secure().orElseThrow().rotateRootNow()).isEqualTo(RootRotator.Outcome.ROTATED);

      await().atMost(Duration.ofSeconds(20)).until(() -> gw.responses().size() >= 2);
      Map<String, Secret> got = SecureFileMesh.secrets(gw.responses().get(1));
      List<X509Certificate> bundle =
          Pem.certificates(
              got.get("ROOTCA")
                  .getValidationContext()
                  .getTrustedCa()
                  .getInlineBytes()
                  .toByteArray());
      X509Certificate newRoot =
          Pem.certificates(Files.readAllBytes(caDir.resolve("gen2-ca-cert.pem"))).get(0);
      assertThat(bundle).containsExactly(newRoot, oldRoot);
      List<X509Certificate> newChain = chainOf(got.get("default"));
      assertThat(newChain.get(newChain.size() - 1)).isEqualTo(newRoot);
      // Peers still holding the old certificate and those with the new one both verify.
      assertThat(anchorOf(oldChain.get(0), bundle)).isEqualTo(oldRoot);
      assertThat(anchorOf(newChain.get(0), bundle)).isEqualTo(newRoot);
    }
  }

  private static List<X509Certificate> chainOf(Secret s) throws Exception {
    return Pem.certificates(
        s.getTlsCertificate().getCertificateChain().getInlineBytes().toByteArray());
  }

  private static X509Certificate anchorOf(X509Certificate leaf, List<X509Certificate> roots)
      throws Exception {
    Set<TrustAnchor> anchors = new java.util.HashSet<>();
    for (X509Certificate r : roots) {
      anchors.add(new TrustAnchor(r, null));
    }
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    return ((java.security.cert.PKIXCertPathValidatorResult)
            CertPathValidator.getInstance("PKIX")
                .validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                    params))
        .getTrustAnchor()
        .getTrustedCert();
  }
}
