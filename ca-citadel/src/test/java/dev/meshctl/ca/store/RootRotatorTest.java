package dev.meshctl.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.store.RootRotator.Outcome;
import dev.meshctl.ca.testing.MutableClock;
import dev.meshctl.ca.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootRotatorTest {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private MutableClock clock;
  private CaStore store;
  private DirectoryCaSource source;
  private CertificateAuthority ca;
  private RootRotator rotator;

  @BeforeEach
  void setUp() {
    clock = MutableClock.atSystemNow();
    store = new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random);
    source = new DirectoryCaSource(dir);
    ca = new CertificateAuthority(store.loadOrCreate(source), CaOptions.defaults(), clock, random);
    rotator = new RootRotator(store, source, ca, clock, RootRotator.DEFAULT_GRACE_FRACTION);
  }

  @Test
  void theGracePointIsTwentyPercentOfTheTenYearLifetimeBeforeExpiry() {
    X509Certificate root = ca.keyMaterial().anchor();
    Instant expected = root.getNotAfter().toInstant().minus(Duration.ofDays(730));

    assertThat(RootRotator.rotateAt(root, 0.2)).isEqualTo(expected);
    assertThat(RootRotator.isDue(root, expected.minusSeconds(1), 0.2)).isFalse();
    assertThat(RootRotator.isDue(root, expected, 0.2)).isTrue();
    assertThat(RootRotator.isDue(root, expected.minusSeconds(1), 0.5)).isTrue();
  }

  @Test
  void nothingRotatesBeforeTheGracePoint() throws Exception {
    X509Certificate root = ca.keyMaterial().anchor();
    Map<String, byte[]> before = files();
    clock.set(RootRotator.rotateAt(root, 0.2).minusSeconds(1));

    assertThat(rotator.check()).isEqualTo(Outcome.NOT_DUE);

    assertThat(ca.keyMaterial().anchor()).isEqualTo(root);
    assertThat(ca.keyMaterial().roots()).containsExactly(root);
    assertThat(files()).containsOnlyKeys(before.keySet());
  }

  @Test
  void atTheGracePointANewRootSignsAndBothRootsAreTrustedDuringTheOverlap() throws Exception {
    X509Certificate oldRoot = ca.keyMaterial().anchor();
    Map<String, byte[]> before = files();
    clock.set(RootRotator.rotateAt(oldRoot, 0.2).minus(Duration.ofHours(1)));
    IssuedChain oldCert = issue();
    verify(oldCert.leaf(), List.of(oldRoot));

    clock.advance(Duration.ofHours(1));
    assertThat(rotator.check()).isEqualTo(Outcome.ROTATED);

    CaKeyMaterial m = ca.keyMaterial();
    X509Certificate newRoot = m.anchor();
    assertThat(newRoot).isNotEqualTo(oldRoot);
    assertThat(newRoot.getPublicKey()).isNotEqualTo(oldRoot.getPublicKey());
    assertThat(newRoot.getNotBefore().toInstant()).isEqualTo(clock.instant());
    assertThat(m.roots()).containsExactly(newRoot, oldRoot);
    // The original generation is untouched; the new one sits alongside.
    Map<String, byte[]> after = files();
    assertThat(after).containsKeys("gen2-ca-cert.pem", "gen2-ca-key.pem");
    for (String name : before.keySet()) {
      assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
    }

    IssuedChain newCert = issue();
    assertThat(newCert.chainAboveLeaf()).containsExactly(newRoot);
    assertThat(verify(newCert.leaf(), List.of(newRoot))).isEqualTo(newRoot);
    assertThatThrownBy(() -> verify(newCert.leaf(), List.of(oldRoot)))
        .isInstanceOf(CertPathValidatorException.class);
    // What ROOTCA, the istio-ca-root-cert ConfigMap and CreateCertificate carry: both roots.
    for (String bundle : List.of(m.rootBundlePem(), newCert.rootBundlePem())) {
      List<X509Certificate> anchors = Pem.certificates(bundle.getBytes(StandardCharsets.US_ASCII));
      assertThat(anchors).containsExactly(newRoot, oldRoot);
      assertThat(verify(oldCert.leaf(), anchors)).isEqualTo(oldRoot);
      assertThat(verify(newCert.leaf(), anchors)).isEqualTo(newRoot);
    }
  }

  @Test
  void aRestartAfterRotationLoadsTheNewSignerAndBothRoots() throws Exception {
    X509Certificate oldRoot = ca.keyMaterial().anchor();
    assertThat(rotator.rotateNow()).isEqualTo(Outcome.ROTATED);
    CaKeyMaterial rotated = ca.keyMaterial();

    CaKeyMaterial reloaded =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
            .loadOrCreate(new DirectoryCaSource(dir));

    assertThat(reloaded.anchor()).isEqualTo(rotated.anchor());
    assertThat(reloaded.signingCertificate()).isEqualTo(rotated.anchor());
    assertThat(Keys.matches(reloaded.signingKey(), rotated.anchor().getPublicKey())).isTrue();
    assertThat(reloaded.roots()).containsExactly(rotated.anchor(), oldRoot);
  }

  @Test
  void anotherReplicaPicksUpTheRotationOnItsNextCheck() {
    CertificateAuthority otherCa =
        new CertificateAuthority(store.loadOrCreate(source), CaOptions.defaults(), clock, random);
    RootRotator other = new RootRotator(store, source, otherCa, clock, 0.2);
    X509Certificate oldRoot = ca.keyMaterial().anchor();
    clock.set(RootRotator.rotateAt(oldRoot, 0.2));

    assertThat(other.check()).isEqualTo(Outcome.ROTATED);
    // Our copy now finds the stored root rotated and not due: it loads it, writing nothing.
    assertThat(rotator.check()).isEqualTo(Outcome.RELOADED);

    assertThat(ca.keyMaterial().anchor()).isEqualTo(otherCa.keyMaterial().anchor());
    assertThat(ca.keyMaterial().roots()).containsExactly(otherCa.keyMaterial().anchor(), oldRoot);
    assertThat(rotator.check()).isEqualTo(Outcome.NOT_DUE);
  }

  @Test
  void theOldRootLeavesTheBundleOnceItExpires() {
    X509Certificate oldRoot = ca.keyMaterial().anchor();
    clock.set(RootRotator.rotateAt(oldRoot, 0.2));
    assertThat(rotator.check()).isEqualTo(Outcome.ROTATED);
    X509Certificate newRoot = ca.keyMaterial().anchor();

    clock.set(oldRoot.getNotAfter().toInstant());
    assertThat(rotator.check()).isEqualTo(Outcome.NOT_DUE);
    assertThat(ca.keyMaterial().roots()).containsExactly(newRoot, oldRoot);

    clock.advance(Duration.ofSeconds(1));
    assertThat(rotator.check()).isEqualTo(Outcome.RELOADED);
    assertThat(ca.keyMaterial().roots()).containsExactly(newRoot);
    assertThat(dir.resolve("ca-cert.pem")).exists();
  }

  @Test
  void aRotationInterruptedBetweenKeyAndCertificateLeavesALoadableCaAndIsRetried()
      throws Exception {
    X509Certificate oldRoot = ca.keyMaterial().anchor();
    RootRotator crashing = new RootRotator(store, new CrashAfterFirstWrite(source), ca, clock, 0.2);

    assertThat(crashing.rotateNow()).isEqualTo(Outcome.FAILED);

    // Only the new key reached the disk; the CA keeps signing with the old root.
    assertThat(files()).containsOnlyKeys("ca-cert.pem", "ca-key.pem", "gen2-ca-key.pem");
    assertThat(ca.keyMaterial().anchor()).isEqualTo(oldRoot);
    CaKeyMaterial restarted = store.loadOrCreate(new DirectoryCaSource(dir));
    assertThat(restarted.anchor()).isEqualTo(oldRoot);
    assertThat(restarted.roots()).containsExactly(oldRoot);

    // The retry never touches the orphaned key: it writes the next generation.
    byte[] orphan = Files.readAllBytes(dir.resolve("gen2-ca-key.pem"));
    assertThat(rotator.rotateNow()).isEqualTo(Outcome.ROTATED);
    assertThat(files())
        .containsOnlyKeys(
            "ca-cert.pem", "ca-key.pem", "gen2-ca-key.pem", "gen3-ca-key.pem", "gen3-ca-cert.pem");
    assertThat(Files.readAllBytes(dir.resolve("gen2-ca-key.pem"))).isEqualTo(orphan);
    X509Certificate gen3 =
        Pem.certificates(Files.readAllBytes(dir.resolve("gen3-ca-cert.pem"))).get(0);
    assertThat(ca.keyMaterial().anchor()).isEqualTo(gen3);
    assertThat(ca.keyMaterial().roots()).containsExactly(gen3, oldRoot);
  }

  @Test
  void aGenerationWhoseKeyDoesNotMatchItsCertificateIsRefusedByName() throws Exception {
    rotator.rotateNow();
    Files.delete(dir.resolve("gen2-ca-key.pem"));
    Files.write(
        dir.resolve("gen2-ca-key.pem"),
        Pem.encode(Keys.rsa(Keys.RSA_BITS, random).getPrivate()).getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessageStartingWith(
            dir
                + "/gen2-ca-key.pem: private key does not match the certificate in gen2-ca-cert.pem");
  }

  @Test
  void aPluggedInCaIsNeverRotated() throws Exception {
    Path plugged = dir.resolve("plugged");
    Files.createDirectories(plugged);
    for (Map.Entry<String, byte[]> e :
        TestPki.pluggedCa("example.com", clock.instant(), random).files().entrySet()) {
      Files.write(plugged.resolve(e.getKey()), e.getValue());
    }
    DirectoryCaSource pluggedSource = new DirectoryCaSource(plugged);
    CertificateAuthority pluggedCa =
        new CertificateAuthority(
            store.loadOrCreate(pluggedSource), CaOptions.defaults(), clock, random);
    RootRotator r = new RootRotator(store, pluggedSource, pluggedCa, clock, 0.2);
    CaKeyMaterial before = pluggedCa.keyMaterial();
    clock.set(before.chainNotAfter().minusSeconds(1));

    assertThat(r.check()).isEqualTo(Outcome.PLUGGED_IN);
    assertThat(r.rotateNow()).isEqualTo(Outcome.PLUGGED_IN);

    assertThat(pluggedCa.keyMaterial()).isSameAs(before);
    try (Stream<Path> s = Files.list(plugged)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(CaStore.FILE_NAMES.toArray(String[]::new));
    }
    assertThatThrownBy(() -> store.rotate(pluggedSource))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            plugged
                + ": a plugged-in CA (cacerts) is never rotated by the control plane; rotate it"
                + " where it was issued and replace the files");
  }

  @Test
  void aPluggedInCaAppearingWhileRunningIsNotSwitchedToWithoutARestart() throws Exception {
    X509Certificate root = ca.keyMaterial().anchor();
    Map<String, byte[]> plugged = TestPki.pluggedCa("example.com", clock.instant(), random).files();
    CaSource withCacerts =
        new CaSource() {
          @Override
          public String location() {
            return "cacerts";
          }

          @Override
          public Map<String, byte[]> read() {
            return plugged;
          }

          @Override
          public void createAll(LinkedHashMap<String, byte[]> entries) throws IOException {
            throw new IOException("must not write");
          }
        };
    RootRotator r = new RootRotator(store, withCacerts, ca, clock, 0.2);

    assertThat(r.check()).isEqualTo(Outcome.PLUGGED_IN);
    assertThat(ca.keyMaterial().anchor()).isEqualTo(root);
    assertThat(ca.keyMaterial().kind()).isEqualTo(CaKeyMaterial.Kind.SELF_SIGNED);
  }

  private IssuedChain issue() throws Exception {
    return ca.issueDnsCertificate(
        Keys.ecP256(random).getPublic(), List.of("istiod.istio-system.svc"), Duration.ofHours(1));
  }

  /** Verifies {@code leaf} against {@code roots} at the clock's time; returns the anchor used. */
  private X509Certificate verify(X509Certificate leaf, List<X509Certificate> roots)
      throws Exception {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate r : roots) {
      anchors.add(new TrustAnchor(r, null));
    }
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    params.setDate(Date.from(clock.instant()));
    PKIXCertPathValidatorResult result =
        (PKIXCertPathValidatorResult)
            CertPathValidator.getInstance("PKIX")
                .validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                    params);
    return result.getTrustAnchor().getTrustedCert();
  }

  private Map<String, byte[]> files() throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  /** Writes only the first entry of a creation, then fails: a crash between two writes. */
  private record CrashAfterFirstWrite(CaSource delegate) implements CaSource {
    @Override
    public String location() {
      return delegate.location();
    }

    @Override
    public Map<String, byte[]> read() throws IOException {
      return delegate.read();
    }

    @Override
    public void createAll(LinkedHashMap<String, byte[]> entries) throws IOException {
      Map.Entry<String, byte[]> first = entries.entrySet().iterator().next();
      LinkedHashMap<String, byte[]> partial = new LinkedHashMap<>();
      partial.put(first.getKey(), first.getValue());
      delegate.createAll(partial);
      throw new IOException("simulated crash after writing " + first.getKey());
    }
  }
}
