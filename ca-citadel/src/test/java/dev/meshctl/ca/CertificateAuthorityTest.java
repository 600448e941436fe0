package dev.meshctl.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CertificateRequestException.Reason;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.ca.testing.Csrs;
import dev.meshctl.ca.testing.MutableClock;
import dev.meshctl.ca.testing.TestPki;
import dev.meshctl.ca.testing.TestPki.PluggedCa;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String SAN_OID = "2.5.29.17";

  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private MutableClock clock;
  private CaKeyMaterial selfSigned;
  private CertificateAuthority ca;
  private SpiffeId bookinfo;

  @BeforeEach
  void setUp() {
    clock = MutableClock.atSystemNow();
    selfSigned =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
            .loadOrCreate(new DirectoryCaSource(dir));
    ca =
        new CertificateAuthority(
            selfSigned,
            new CaOptions("cluster.local", Duration.ofHours(24), Duration.ofDays(2)),
            clock,
            random);
    bookinfo = ca.identity("bookinfo", "reviews");
  }

  @Test
  void ecdsaP256CsrGetsAWorkloadCertificateThatVerifiesAgainstTheRoot() throws Exception {
    KeyPair keys = Keys.ecP256(random);
    IssuedChain chain = ca.signWorkload(Csrs.forUris(keys, bookinfo.uri()), bookinfo, null);

    assertThat(chain.fullChain()).containsExactly(chain.leaf(), selfSigned.anchor());
    TestPki.verify(chain.fullChain(), selfSigned.anchor(), clock.instant());
    assertWorkloadCertificate(chain.leaf(), keys, "spiffe://cluster.local/ns/bookinfo/sa/reviews");
    assertThat(chain.leaf().getNotAfter().toInstant())
        .isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    assertThat(chain.leaf().getNotBefore().toInstant())
        .isEqualTo(clock.instant().minus(Duration.ofMinutes(2)));
  }

  @Test
  void rsaCsrWithoutSansGetsTheCallersIdentity() throws Exception {
    KeyPair keys = Keys.rsa(2048, random);
    IssuedChain chain = ca.signWorkload(Csrs.forUris(keys), bookinfo, Duration.ZERO);

    TestPki.verify(chain.fullChain(), selfSigned.anchor(), clock.instant());
    assertWorkloadCertificate(chain.leaf(), keys, bookinfo.uri());
  }

  @Test
  void requestedLifetimeIsHonouredUpToTheMaximumAndRefusedBeyondIt() throws Exception {
    KeyPair keys = Keys.ecP256(random);
    String csr = Csrs.forUris(keys, bookinfo.uri());

    assertThat(ca.signWorkload(csr, bookinfo, Duration.ofHours(1)).leaf().getNotAfter().toInstant())
        .isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(ca.signWorkload(csr, bookinfo, Duration.ofDays(2)).leaf().getNotAfter().toInstant())
        .isEqualTo(clock.instant().plus(Duration.ofDays(2)));
    assertRefused(
        () -> ca.signWorkload(csr, bookinfo, Duration.ofDays(2).plusSeconds(1)),
        Reason.TTL_TOO_LONG,
        "requested validity 172801s exceeds the maximum of 172800s");
  }

  @Test
  void leafNeverOutlivesTheCaCertificate() throws Exception {
    clock.set(selfSigned.anchor().getNotAfter().toInstant().minus(Duration.ofHours(3)));
    IssuedChain chain =
        ca.signWorkload(Csrs.forUris(Keys.ecP256(random), bookinfo.uri()), bookinfo, null);

    assertThat(chain.leaf().getNotAfter()).isEqualTo(selfSigned.anchor().getNotAfter());
  }

  @Test
  void pluggedInCaSignsWithTheIntermediateAndTheChainEndsWithTheRoot() throws Exception {
    PluggedCa plugged = TestPki.pluggedCa("example.com", clock.instant(), random);
    CaKeyMaterial material =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
            .load(plugged.files(), "test");
    CertificateAuthority intermediateCa =
        new CertificateAuthority(material, CaOptions.defaults(), clock, random);

    IssuedChain chain =
        intermediateCa.signWorkload(
            Csrs.forUris(Keys.ecP256(random), bookinfo.uri()), bookinfo, null);

    assertThat(chain.fullChain()).containsExactly(chain.leaf(), plugged.ca(), plugged.root());
    TestPki.verify(chain.fullChain(), plugged.root(), clock.instant());
    assertThat(chain.leaf().getIssuerX500Principal())
        .isEqualTo(plugged.ca().getSubjectX500Principal());
    List<String> pem = chain.toResponsePem();
    assertThat(pem).hasSize(3);
    assertThat(pem.get(1)).isEqualTo(Pem.encode(plugged.ca()));
    assertThat(pem.get(2)).isEqualTo(Pem.encode(plugged.root()));
  }

  @Test
  void csrAskingForAnotherIdentityIsRefused() {
    String csr =
        Csrs.forUris(Keys.ecP256(random), "spiffe://cluster.local/ns/kube-system/sa/admin");

    assertRefused(
        () -> ca.signWorkload(csr, bookinfo, null),
        Reason.IDENTITY_MISMATCH,
        "csr asks for URI spiffe://cluster.local/ns/kube-system/sa/admin but the caller is"
            + " authenticated as spiffe://cluster.local/ns/bookinfo/sa/reviews; a workload may"
            + " only request its own identity");
  }

  @Test
  void csrAskingForExtraNamesIsRefused() {
    String csr =
        Csrs.build(
            Keys.ecP256(random),
            new GeneralName(GeneralName.uniformResourceIdentifier, bookinfo.uri()),
            new GeneralName(GeneralName.dNSName, "istiod.istio-system.svc"));

    assertRefused(
        () -> ca.signWorkload(csr, bookinfo, null),
        Reason.IDENTITY_MISMATCH,
        "csr asks for DNS name istiod.istio-system.svc but the caller is authenticated as"
            + " spiffe://cluster.local/ns/bookinfo/sa/reviews; a workload may only request its"
            + " own identity");
  }

  @Test
  void weakOrUnsupportedKeysAreRefused() throws Exception {
    assertRefused(
        () -> ca.signWorkload(Csrs.forUris(Keys.rsa(1024, random)), bookinfo, null),
        Reason.UNSUPPORTED_KEY,
        "csr: RSA key of 1024 bits is too small; supported keys are RSA (2048 bits or more) and"
            + " ECDSA P-256");
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertRefused(
        () -> ca.signWorkload(Csrs.forUris(p384.generateKeyPair()), bookinfo, null),
        Reason.UNSUPPORTED_KEY,
        "csr: ECDSA curve 1.3.132.0.34 is not P-256; supported keys are RSA (2048 bits or more)"
            + " and ECDSA P-256");
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String edCsr =
        Pem.encode(
            new JcaPKCS10CertificationRequestBuilder(new X500Name(""), ed.getPublic())
                .build(new JcaContentSignerBuilder("Ed25519").build(ed.getPrivate())));
    assertRefused(
        () -> ca.signWorkload(edCsr, bookinfo, null),
        Reason.UNSUPPORTED_KEY,
        "csr: key algorithm EdDSA (1.3.101.112); supported keys are RSA (2048 bits or more)"
            + " and ECDSA P-256");
  }

  @Test
  void csrWhoseSignatureDoesNotVerifyIsRefused() throws Exception {
    KeyPair claimed = Keys.ecP256(random);
    KeyPair signer = Keys.ecP256(random);
    String forged =
        Pem.encode(
            new JcaPKCS10CertificationRequestBuilder(new X500Name(""), claimed.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));

    assertRefused(
        () -> ca.signWorkload(forged, bookinfo, null),
        Reason.MALFORMED,
        "csr: signature does not verify with the CSR's own public key");
    assertRefused(
        () -> ca.signWorkload("not a csr", bookinfo, null),
        Reason.MALFORMED,
        "csr: expected a PEM CERTIFICATE REQUEST, found no PEM block");
  }

  @Test
  void serialNumbersAreRandomAndPositive() throws Exception {
    String csr = Csrs.forUris(Keys.ecP256(random), bookinfo.uri());
    X509Certificate a = ca.signWorkload(csr, bookinfo, null).leaf();
    X509Certificate b = ca.signWorkload(csr, bookinfo, null).leaf();

    assertThat(a.getSerialNumber()).isNotEqualTo(b.getSerialNumber());
    assertThat(a.getSerialNumber().signum()).isEqualTo(1);
    assertThat(a.getSerialNumber().bitLength()).isBetween(64, 128);
  }

  @Test
  void expiredCaCannotSign() {
    clock.set(selfSigned.anchor().getNotAfter().toInstant());
    assertRefused(
        () -> ca.signWorkload(Csrs.forUris(Keys.ecP256(random)), bookinfo, null),
        Reason.CA_UNAVAILABLE,
        "the CA certificate chain expired at "
            + selfSigned.anchor().getNotAfter().toInstant()
            + "; no certificate can be issued");
  }

  private static void assertWorkloadCertificate(X509Certificate leaf, KeyPair keys, String uri)
      throws Exception {
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, uri));
    assertThat(leaf.getCriticalExtensionOIDs()).contains(SAN_OID);
    boolean[] usage = leaf.getKeyUsage();
    assertThat(usage[0]).as("digitalSignature").isTrue();
    assertThat(usage[2]).as("keyEncipherment").isTrue();
    for (int i : new int[] {1, 3, 4, 5, 6}) {
      assertThat(usage[i]).as("key usage bit " + i).isFalse();
    }
    assertThat(leaf.getExtendedKeyUsage()).containsExactly(SERVER_AUTH, CLIENT_AUTH);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
  }

  private static void assertRefused(ThrowingCallable call, Reason reason, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            CertificateRequestException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessage(message);
  }
}
