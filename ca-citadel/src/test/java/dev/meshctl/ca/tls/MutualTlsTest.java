package dev.meshctl.ca.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import dev.meshctl.ca.pki.CertificateIssuer;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.server.CertificateService;
import dev.meshctl.ca.server.ClientCertificateAuthenticator;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.ca.testing.Csrs;
import dev.meshctl.ca.testing.GrpcPeers;
import dev.meshctl.ca.testing.MutableClock;
import dev.meshctl.ca.testing.TestPki;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between a grpc-java client and server that both hold certificates from our CA, with
 * client certificates required; and rotation of the server's certificate without a restart.
 *
 * <p>The CA's clock starts 16 days in the past so that, after moving it to the present, the rotated
 * certificate is still valid for the TLS stacks, which check against real time.
 */
class MutualTlsTest {
  private static final String AUTHORITY = "istiod.istio-system.svc";

  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private MutableClock clock;
  private CaKeyMaterial material;
  private CertificateAuthority ca;
  private ServingCertificateManager serving;
  private Server server;
  private IssuedChain workload;
  private KeyPair workloadKeys;

  @BeforeEach
  void start() throws Exception {
    clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    clock.advance(Duration.ofDays(-16));
    material =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
            .loadOrCreate(new DirectoryCaSource(dir));
    ca = new CertificateAuthority(material, CaOptions.defaults(), clock, random);
    serving =
        new ServingCertificateManager(
            ca,
            ServingCertificateManager.istiodDnsNames("istio-system"),
            Duration.ofDays(30),
            clock,
            random);
    server =
        Grpc.newServerBuilderForPort(
                0, serving.serverCredentials(TlsServerCredentials.ClientAuth.REQUIRE))
            .addService(
                CertificateService.bind(ca, List.of(new ClientCertificateAuthenticator(ca, clock))))
            .build()
            .start();
    workloadKeys = Keys.ecP256(random);
    workload =
        ca.signWorkload(
            Csrs.forUris(workloadKeys), ca.identity("bookinfo", "ratings"), Duration.ofDays(30));
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
  void peersWithCertificatesFromOurCaTalkMutualTls() throws Exception {
    List<List<X509Certificate>> seen = new CopyOnWriteArrayList<>();

    IstioCertificateResponse r =
        call(channel(workload.fullChain(), workloadKeys.getPrivate(), seen));

    assertThat(r.getCertChainCount()).isEqualTo(2);
    assertThat(TestPki.parse(r.getCertChainList()).get(0).getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://cluster.local/ns/bookinfo/sa/ratings"));
    assertThat(seen).isNotEmpty();
    X509Certificate serverLeaf = seen.get(0).get(0);
    assertThat(serverLeaf.getSubjectAlternativeNames())
        .containsExactly(
            List.of(2, "istiod.istio-system.svc"),
            List.of(2, "istiod.istio-system.svc.cluster.local"));
    TestPki.verify(seen.get(0), material.anchor(), Instant.now());
  }

  @Test
  void clientWithACertificateFromAnotherCaIsRefused() throws Exception {
    TestPki.PluggedCa foreign = TestPki.pluggedCa("evil.example", clock.instant(), random);
    KeyPair keys = Keys.ecP256(random);
    X509Certificate foreignLeaf =
        CertificateIssuer.leaf(
            foreign.ca(),
            foreign.intermediateKeys().getPrivate(),
            keys.getPublic(),
            new GeneralNames(
                new GeneralName(
                    GeneralName.uniformResourceIdentifier,
                    "spiffe://cluster.local/ns/bookinfo/sa/ratings")),
            Instant.now().minusSeconds(60),
            Instant.now().plusSeconds(3600),
            random);

    assertRefusedInHandshake(channel(List.of(foreignLeaf, foreign.ca()), keys.getPrivate(), null));
    assertRefusedInHandshake(channel(null, null, null));
  }

  @Test
  void serverCertificateRotatesAtHalfLifeWithoutRestart() throws Exception {
    List<List<X509Certificate>> before = new CopyOnWriteArrayList<>();
    call(channel(workload.fullChain(), workloadKeys.getPrivate(), before));
    X509Certificate first = before.get(0).get(0);
    assertThat(serving.rotateIfDue()).isFalse();

    clock.advance(Duration.ofDays(15).plusMinutes(1));
    List<List<X509Certificate>> after = new CopyOnWriteArrayList<>();
    call(channel(workload.fullChain(), workloadKeys.getPrivate(), after));

    X509Certificate second = after.get(0).get(0);
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());
    assertThat(second.getNotAfter().toInstant())
        .isEqualTo(clock.instant().plus(Duration.ofDays(30)));
    assertThat(serving.current().generation()).isEqualTo(2);
    TestPki.verify(after.get(0), material.anchor(), Instant.now());
  }

  private void assertRefusedInHandshake(ManagedChannel c) {
    assertThatThrownBy(() -> call(c))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private ManagedChannel channel(
      List<X509Certificate> chain, PrivateKey key, List<List<X509Certificate>> seen)
      throws Exception {
    ManagedChannel c =
        GrpcPeers.channel(server.getPort(), AUTHORITY, material.anchor(), chain, key, null, seen);
    channels.add(c);
    return c;
  }

  private IstioCertificateResponse call(ManagedChannel c) {
    return IstioCertificateServiceGrpc.newBlockingStub(c)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .createCertificate(
            IstioCertificateRequest.newBuilder()
                .setCsr(Csrs.forUris(Keys.ecP256(random)))
                .setValidityDuration(3600)
                .build());
  }
}
