package dev.meshctl.ca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import dev.meshctl.ca.pki.CertificateIssuer;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.ca.testing.Csrs;
import dev.meshctl.ca.testing.GrpcPeers;
import dev.meshctl.ca.testing.MutableClock;
import dev.meshctl.ca.testing.TestPki;
import dev.meshctl.ca.tls.ServingCertificateManager;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's CA API over real TLS: a grpc-java client calls CreateCertificate as istio-agent does
 * (fresh key, CSR with its SPIFFE ID, metadata, Bearer token, ClusterID header) against a server
 * whose certificate our CA issued.
 */
class CertificateServiceTest {
  private static final String AUTHORITY = "istiod.istio-system.svc";
  private static final String TOKEN = "reviews-token";
  private static final String SPIFFE = "spiffe://cluster.local/ns/bookinfo/sa/reviews";

  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final FakeTokenReviewer reviewer =
      new FakeTokenReviewer()
          .serviceAccount(TOKEN, "bookinfo", "reviews", List.of("istio-ca"))
          .serviceAccount("wrong-audience", "bookinfo", "reviews", List.of("kubernetes"));
  private MutableClock clock;
  private CaKeyMaterial material;
  private Server server;

  @BeforeEach
  void start() throws Exception {
    clock = MutableClock.atSystemNow();
    material =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
            .loadOrCreate(new DirectoryCaSource(dir));
    CertificateAuthority ca =
        new CertificateAuthority(material, CaOptions.defaults(), clock, random);
    ServingCertificateManager serving =
        new ServingCertificateManager(
            ca,
            ServingCertificateManager.istiodDnsNames("istio-system"),
            ServingCertificateManager.DEFAULT_TTL,
            clock,
            random);
    server =
        Grpc.newServerBuilderForPort(
                0, serving.serverCredentials(TlsServerCredentials.ClientAuth.OPTIONAL))
            .addService(
                CertificateService.bind(
                    ca,
                    List.of(
                        new KubernetesJwtAuthenticator(reviewer),
                        new ClientCertificateAuthenticator(ca, clock))))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      GrpcPeers.close(c);
    }
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void agentWithAServiceAccountTokenGetsAChainThatVerifiesAgainstTheRoot() throws Exception {
    KeyPair keys = Keys.ecP256(random);

    IstioCertificateResponse response = call(channel(null, null, TOKEN), agentRequest(keys, 86400));

    assertThat(response.getCertChainCount()).isEqualTo(2);
    assertThat(response.getCertChain(1)).isEqualTo(material.rootBundlePem());
    List<X509Certificate> chain = TestPki.parse(response.getCertChainList());
    TestPki.verify(chain, material.anchor(), clock.instant());
    X509Certificate leaf = chain.get(0);
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, SPIFFE));
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(clock.instant().plusSeconds(86400));
    assertThat(reviewer.asked())
        .containsExactly(new FakeTokenReviewer.Asked(TOKEN, List.of("istio-ca")));
  }

  @Test
  void callWithoutCredentialsIsUnauthenticated() throws Exception {
    assertStatus(
        channel(null, null, null),
        agentRequest(Keys.ecP256(random), 0),
        Status.Code.UNAUTHENTICATED,
        "no credentials: send 'authorization: Bearer <Kubernetes service account token>' or a"
            + " client certificate issued by this CA");
  }

  @Test
  void rejectedOrWrongAudienceTokensAreUnauthenticated() throws Exception {
    assertStatus(
        channel(null, null, "forged"),
        agentRequest(Keys.ecP256(random), 0),
        Status.Code.UNAUTHENTICATED,
        "authentication failed: kubernetes-jwt: the token was rejected: token not found");
    assertStatus(
        channel(null, null, "wrong-audience"),
        agentRequest(Keys.ecP256(random), 0),
        Status.Code.UNAUTHENTICATED,
        "authentication failed: kubernetes-jwt: the token's audiences [] do not include"
            + " [istio-ca]");
  }

  @Test
  void csrForAnotherIdentityIsPermissionDenied() throws Exception {
    IstioCertificateRequest request =
        IstioCertificateRequest.newBuilder()
            .setCsr(
                Csrs.forUris(
                    Keys.ecP256(random), "spiffe://cluster.local/ns/istio-system/sa/istiod"))
            .build();

    assertStatus(
        channel(null, null, TOKEN),
        request,
        Status.Code.PERMISSION_DENIED,
        "csr asks for URI spiffe://cluster.local/ns/istio-system/sa/istiod but the caller is"
            + " authenticated as spiffe://cluster.local/ns/bookinfo/sa/reviews; a workload may"
            + " only request its own identity");
  }

  @Test
  void lifetimeOverTheMaximumIsInvalidArgument() throws Exception {
    assertStatus(
        channel(null, null, TOKEN),
        agentRequest(Keys.ecP256(random), Duration.ofDays(91).toSeconds()),
        Status.Code.INVALID_ARGUMENT,
        "requested validity 7862400s exceeds the maximum of 7776000s");
  }

  @Test
  void workloadRenewsWithTheCertificateItWasIssued() throws Exception {
    KeyPair first = Keys.ecP256(random);
    List<X509Certificate> issued =
        TestPki.parse(call(channel(null, null, TOKEN), agentRequest(first, 0)).getCertChainList());
    int reviews = reviewer.asked().size();

    KeyPair second = Keys.ecP256(random);
    IstioCertificateResponse renewed =
        call(channel(issued, first, null), agentRequest(second, 3600));

    List<X509Certificate> chain = TestPki.parse(renewed.getCertChainList());
    TestPki.verify(chain, material.anchor(), clock.instant());
    assertThat(chain.get(0).getPublicKey()).isEqualTo(second.getPublic());
    assertThat(chain.get(0).getSubjectAlternativeNames()).containsExactly(List.of(6, SPIFFE));
    assertThat(reviewer.asked()).as("no token was reviewed for the renewal").hasSize(reviews);
  }

  @Test
  void expiredClientCertificateIsRefusedByTheAuthenticatorItself() throws Exception {
    KeyPair first = Keys.ecP256(random);
    List<X509Certificate> issued =
        TestPki.parse(
            call(channel(null, null, TOKEN), agentRequest(first, 3600)).getCertChainList());
    // Real time (which the TLS layer checks) still accepts it; the CA's clock does not.
    clock.advance(Duration.ofHours(2));

    assertThatThrownBy(() -> call(channel(issued, first, null), agentRequest(first, 0)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .startsWith(
                      "authentication failed: client-certificate: the client certificate was not"
                          + " issued by this CA or is not valid now: ");
            });
  }

  @Test
  void clientCertificateFromAnotherCaIsNeverACredential() throws Exception {
    TestPki.PluggedCa foreign = TestPki.pluggedCa("evil.example", clock.instant(), random);
    KeyPair keys = Keys.ecP256(random);
    X509Certificate foreignLeaf =
        CertificateIssuer.leaf(
            foreign.ca(),
            foreign.intermediateKeys().getPrivate(),
            keys.getPublic(),
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, SPIFFE)),
            clock.instant().minusSeconds(60),
            clock.instant().plusSeconds(3600),
            random);

    assertThatThrownBy(
            () ->
                call(
                    channel(List.of(foreignLeaf, foreign.ca()), keys, null),
                    agentRequest(Keys.ecP256(random), 0)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              // The server asks only for certificates under our root, so the client sends none.
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).startsWith("no credentials: ");
            });
    assertThat(reviewer.asked()).isEmpty();
  }

  /** A request as istio-agent's CitadelClient builds it. */
  private static IstioCertificateRequest agentRequest(KeyPair keys, long ttlSeconds) {
    return IstioCertificateRequest.newBuilder()
        .setCsr(Csrs.forUris(keys, SPIFFE))
        .setValidityDuration(ttlSeconds)
        .setMetadata(
            Struct.newBuilder()
                .putFields("CertSigner", Value.newBuilder().setStringValue("").build()))
        .build();
  }

  private ManagedChannel channel(List<X509Certificate> chain, KeyPair keys, String token)
      throws Exception {
    ManagedChannel c =
        GrpcPeers.channel(
            server.getPort(),
            AUTHORITY,
            material.anchor(),
            chain,
            keys == null ? null : keys.getPrivate(),
            token,
            null);
    channels.add(c);
    return c;
  }

  private static IstioCertificateResponse call(ManagedChannel c, IstioCertificateRequest r) {
    return IstioCertificateServiceGrpc.newBlockingStub(c)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .createCertificate(r);
  }

  private static void assertStatus(
      ManagedChannel c, IstioCertificateRequest r, Status.Code code, String description) {
    assertThatThrownBy(() -> call(c, r))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).isEqualTo(description);
            });
  }
}
