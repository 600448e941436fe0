package dev.meshctl.ca.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.testing.MutableClock;
import dev.meshctl.ca.testing.TestPki;
import dev.meshctl.ca.testing.TestPki.PluggedCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaStoreTest {
  private static final String SELF_SIGNED_REMEDY =
      "restore it from a backup; removing ca-cert.pem and ca-key.pem generates a new root that"
          + " existing workloads do not trust";

  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();
  private MutableClock clock;
  private CaStore store;

  @BeforeEach
  void setUp() {
    clock = MutableClock.atSystemNow();
    store = new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random);
  }

  @Test
  void firstStartGeneratesAndPersistsASelfSignedRootLikeIstios() throws Exception {
    CaKeyMaterial m = store.loadOrCreate(new DirectoryCaSource(dir));

    assertThat(m.kind()).isEqualTo(CaKeyMaterial.Kind.SELF_SIGNED);
    X509Certificate root = m.anchor();
    assertThat(m.signingCertificate()).isEqualTo(root);
    assertThat(root.getSubjectX500Principal().getName()).isEqualTo("O=cluster.local");
    assertThat(root.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(((RSAPublicKey) root.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    assertThat(Duration.between(root.getNotBefore().toInstant(), root.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofDays(3650));
    assertThat(root.getNotBefore().toInstant()).isEqualTo(clock.instant());

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ca-cert.pem", "ca-key.pem");
    }
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))))
        .isEqualTo("rw-------");
    assertThat(Pem.certificates(Files.readAllBytes(dir.resolve("ca-cert.pem"))))
        .containsExactly(root);
    assertThat(
            Keys.matches(
                Pem.privateKey(Files.readAllBytes(dir.resolve("ca-key.pem"))), root.getPublicKey()))
        .isTrue();
  }

  @Test
  void secondStartLoadsTheSameRootAndWritesNothing() throws Exception {
    CaKeyMaterial first = store.loadOrCreate(new DirectoryCaSource(dir));
    Map<String, byte[]> bytesBefore = snapshotBytes();
    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    for (String f : bytesBefore.keySet()) {
      Files.setLastModifiedTime(dir.resolve(f), old);
    }

    clock.advance(Duration.ofDays(30));
    CaStore restarted =
        new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, new SecureRandom());
    CaKeyMaterial second = restarted.loadOrCreate(new DirectoryCaSource(dir));

    assertThat(second.anchor()).isEqualTo(first.anchor());
    assertThat(second.signingKey().getEncoded()).isEqualTo(first.signingKey().getEncoded());
    Map<String, byte[]> bytesAfter = snapshotBytes();
    assertThat(bytesAfter.keySet()).isEqualTo(bytesBefore.keySet());
    for (String f : bytesBefore.keySet()) {
      assertThat(bytesAfter.get(f)).as(f).isEqualTo(bytesBefore.get(f));
      assertThat(Files.getLastModifiedTime(dir.resolve(f))).as(f).isEqualTo(old);
    }
  }

  @Test
  void corruptCertificateIsAStartupErrorNamingTheFileAndNothingIsOverwritten() throws Exception {
    store.loadOrCreate(new DirectoryCaSource(dir));
    Files.writeString(dir.resolve("ca-cert.pem"), "this is not a certificate\n");
    Map<String, byte[]> before = snapshotBytes();

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(dir + "/ca-cert.pem: no PEM CERTIFICATE block found; " + SELF_SIGNED_REMEDY);
    assertThat(snapshotBytes()).usingRecursiveComparison().isEqualTo(before);
  }

  @Test
  void corruptKeyIsAStartupError() throws Exception {
    store.loadOrCreate(new DirectoryCaSource(dir));
    String cert = Files.readString(dir.resolve("ca-cert.pem"));
    Files.writeString(dir.resolve("ca-key.pem"), cert);

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            dir
                + "/ca-key.pem: expected an unencrypted private key (RSA PRIVATE KEY, EC PRIVATE"
                + " KEY or PRIVATE KEY), found X509CertificateHolder; "
                + SELF_SIGNED_REMEDY);
  }

  @Test
  void keyThatDoesNotMatchItsCertificateIsAStartupError() throws Exception {
    store.loadOrCreate(new DirectoryCaSource(dir));
    Files.delete(dir.resolve("ca-key.pem"));
    Files.writeString(dir.resolve("ca-key.pem"), Pem.encode(Keys.rsa(2048, random).getPrivate()));

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            dir
                + "/ca-key.pem: private key does not match the certificate in ca-cert.pem"
                + " (\"O=cluster.local\"); put the key that belongs to that certificate there");
  }

  @Test
  void expiredRootIsAStartupError() {
    CaKeyMaterial m = store.loadOrCreate(new DirectoryCaSource(dir));
    clock.advance(Duration.ofDays(3651));

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            dir
                + "/ca-cert.pem: the self-signed root \"O=cluster.local\" expired at "
                + m.anchor().getNotAfter().toInstant()
                + "; plug in a current CA (or, for a self-signed CA, remove ca-cert.pem and"
                + " ca-key.pem to generate a new root, which workloads must then be given)");
  }

  @Test
  void halfPresentSetIsAStartupErrorAndIsNotCompleted() throws Exception {
    store.loadOrCreate(new DirectoryCaSource(dir));
    Files.delete(dir.resolve("ca-cert.pem"));

    assertThatThrownBy(() -> store.loadOrCreate(new DirectoryCaSource(dir)))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            dir
                + ": incomplete CA key material: found [ca-key.pem], missing [ca-cert.pem]. A"
                + " plugged-in CA needs all of [ca-cert.pem, ca-key.pem, root-cert.pem,"
                + " cert-chain.pem]; a self-signed CA needs [ca-cert.pem, ca-key.pem]. Restore"
                + " the missing files, or remove the partial set to have a new self-signed CA"
                + " generated (workloads will then need new certificates)");
    assertThat(Files.exists(dir.resolve("ca-cert.pem"))).isFalse();
  }

  @Test
  void pluggedInCaIsUsedAsGiven() throws Exception {
    PluggedCa plugged = TestPki.pluggedCa("example.com", clock.instant(), random);
    writeAll(plugged.files());
    Map<String, byte[]> before = snapshotBytes();

    CaKeyMaterial m = store.loadOrCreate(new DirectoryCaSource(dir));

    assertThat(m.kind()).isEqualTo(CaKeyMaterial.Kind.PLUGGED_IN);
    assertThat(m.signingCertificate()).isEqualTo(plugged.ca());
    assertThat(m.signingKey().getEncoded())
        .isEqualTo(plugged.intermediateKeys().getPrivate().getEncoded());
    assertThat(m.anchor()).isEqualTo(plugged.root());
    assertThat(m.roots()).containsExactly(plugged.root());
    assertThat(m.intermediates()).isEmpty();
    assertThat(m.chainAboveLeaf()).containsExactly(plugged.ca(), plugged.root());
    assertThat(snapshotBytes()).usingRecursiveComparison().isEqualTo(before);
  }

  @Test
  void pluggedInCaThatDoesNotChainToItsRootIsAStartupError() throws Exception {
    PluggedCa plugged = TestPki.pluggedCa("example.com", clock.instant(), random);
    PluggedCa other = TestPki.pluggedCa("other.example", clock.instant(), random);
    Map<String, byte[]> files = new HashMap<>(plugged.files());
    files.put("root-cert.pem", other.files().get("root-cert.pem"));
    files.put("cert-chain.pem", TestPki.bytes(Pem.encode(plugged.ca())));

    assertThatThrownBy(() -> store.load(files, "Secret istio-system/cacerts"))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessage(
            "Secret istio-system/cacerts/ca-cert.pem: certificate \"O=example.com intermediate\""
                + " does not chain to any certificate in root-cert.pem through cert-chain.pem;"
                + " check that the three files come from the same CA");
  }

  @Test
  void pluggedInSetMissingAFileIsAStartupError() throws Exception {
    PluggedCa plugged = TestPki.pluggedCa("example.com", clock.instant(), random);
    Map<String, byte[]> files = new HashMap<>(plugged.files());
    files.remove("cert-chain.pem");

    assertThatThrownBy(() -> store.load(files, "/etc/cacerts"))
        .isInstanceOf(CaKeyMaterialException.class)
        .hasMessageStartingWith(
            "/etc/cacerts: incomplete CA key material: found [ca-cert.pem, ca-key.pem,"
                + " root-cert.pem], missing [cert-chain.pem].");
  }

  private void writeAll(Map<String, byte[]> files) throws Exception {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }

  private Map<String, byte[]> snapshotBytes() throws Exception {
    Map<String, byte[]> out = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
