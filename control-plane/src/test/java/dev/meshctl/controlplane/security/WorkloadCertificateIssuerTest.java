package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import dev.meshctl.xds.translate.secret.WorkloadCertificate;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload certificates: P-256 keys for the proxy's SPIFFE identity, one per identity while fresh,
 * a new one once half the lifetime has passed by the injected clock, none without a service
 * account.
 */
class WorkloadCertificateIssuerTest {
  /** A clock tests move by hand. */
  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @TempDir Path caDir;
  private final TestClock clock = new TestClock(Instant.now());
  private WorkloadCertificateIssuer issuer;

  @BeforeEach
  void setUp() {
    SecureRandom random = new SecureRandom();
    CertificateAuthority ca =
        new CertificateAuthority(
            SecureServing.loadOrCreate(
                new DirectoryCaSource(caDir), "cluster.local", clock, random),
            new CaOptions("cluster.local", Duration.ofHours(24), CaOptions.DEFAULT_MAX_TTL),
            clock,
            random);
    issuer = new WorkloadCertificateIssuer(ca, null, clock, random);
  }

  private static Proxy proxy(String pod, String serviceAccount) throws Exception {
    Node.Builder n = Node.newBuilder().setId("sidecar~10.0.0.1~" + pod + "~shop.svc.cluster.local");
    if (!serviceAccount.isEmpty()) {
      n.setMetadata(
          Struct.newBuilder()
              .putFields(
                  "SERVICE_ACCOUNT", Value.newBuilder().setStringValue(serviceAccount).build()));
    }
    return ProxyParser.parse(n.build());
  }

  private static X509Certificate leaf(WorkloadCertificate c) throws Exception {
    return Pem.certificates(c.certificateChainPem().getBytes(StandardCharsets.US_ASCII)).get(0);
  }

  @Test
  void issuesAnEcCertificateForTheProxysIdentity() throws Exception {
    WorkloadCertificate c = issuer.certificateFor(proxy("reviews-1.shop", "reviews")).orElseThrow();
    assertThat(c.spiffeId()).isEqualTo("spiffe://cluster.local/ns/shop/sa/reviews");
    X509Certificate leaf = leaf(c);
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/sa/reviews"));
    PrivateKey key = Pem.privateKey(c.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
    assertThat(key.getAlgorithm()).isEqualTo("EC");
    assertThat(Keys.matches(key, leaf.getPublicKey())).isTrue();
    assertThat(c.toString()).doesNotContain(c.privateKeyPem()).contains("key redacted");
  }

  @Test
  void cachesPerIdentityAndRenewsAtHalfLife() throws Exception {
    WorkloadCertificate first =
        issuer.certificateFor(proxy("reviews-1.shop", "reviews")).orElseThrow();
    // Another pod of the same identity shares the certificate while it is fresh.
    assertThat(issuer.certificateFor(proxy("reviews-2.shop", "reviews")).orElseThrow())
        .isSameAs(first);
    assertThat(issuer.certificateFor(proxy("ratings-1.shop", "ratings")).orElseThrow().spiffeId())
        .isEqualTo("spiffe://cluster.local/ns/shop/sa/ratings");

    X509Certificate leaf = leaf(first);
    Instant renewAt =
        leaf.getNotBefore()
            .toInstant()
            .plus(
                Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())
                    .dividedBy(2));
    assertThat(issuer.nextRenewal()).contains(renewAt);

    clock.advance(Duration.between(clock.instant(), renewAt).minusSeconds(1));
    assertThat(issuer.certificateFor(proxy("reviews-1.shop", "reviews")).orElseThrow())
        .isSameAs(first);
    clock.advance(Duration.ofSeconds(2));
    WorkloadCertificate renewed =
        issuer.certificateFor(proxy("reviews-1.shop", "reviews")).orElseThrow();
    assertThat(renewed).isNotEqualTo(first);
    assertThat(leaf(renewed).getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
    assertThat(renewed.privateKeyPem()).isNotEqualTo(first.privateKeyPem());

    // The renewal timer forgets due certificates (ratings' is due too) and nothing fresh.
    assertThat(issuer.removeDue()).isTrue();
    assertThat(issuer.removeDue()).isFalse();
    assertThat(issuer.certificateFor(proxy("reviews-1.shop", "reviews")).orElseThrow())
        .isSameAs(renewed);
  }

  @Test
  void aNodeWithoutServiceAccountGetsNothing() throws Exception {
    assertThat(issuer.certificateFor(proxy("reviews-1.shop", ""))).isEmpty();
  }
}
