package dev.meshctl.ca.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.ca.store.RootRotator;
import dev.meshctl.ca.testing.MutableClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secure port's client trust follows root rotation: old and new client certs both pass. */
class CurrentRootsTrustManagerTest {
  @TempDir Path dir;

  @Test
  void afterRotationClientCertificatesFromBothRootsAreTrustedAndOthersAreNot() throws Exception {
    SecureRandom random = new SecureRandom();
    MutableClock clock = MutableClock.atSystemNow();
    CaStore store = new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random);
    DirectoryCaSource source = new DirectoryCaSource(dir);
    CertificateAuthority ca =
        new CertificateAuthority(store.loadOrCreate(source), CaOptions.defaults(), clock, random);
    CurrentRootsTrustManager tm = new CurrentRootsTrustManager(ca);
    X509Certificate[] before = chain(ca, random);
    tm.checkClientTrusted(before, "RSA");

    assertThat(new RootRotator(store, source, ca, clock, 0.2).rotateNow())
        .isEqualTo(RootRotator.Outcome.ROTATED);

    X509Certificate[] after = chain(ca, random);
    tm.checkClientTrusted(after, "RSA");
    tm.checkClientTrusted(before, "RSA");
    assertThat(tm.getAcceptedIssuers())
        .containsExactlyInAnyOrderElementsOf(ca.keyMaterial().roots());

    CertificateAuthority stranger =
        new CertificateAuthority(
            new CaStore("cluster.local", CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random)
                .loadOrCreate(new DirectoryCaSource(dir.resolve("other"))),
            CaOptions.defaults(),
            clock,
            random);
    X509Certificate[] foreign = chain(stranger, random);
    assertThatThrownBy(() -> tm.checkClientTrusted(foreign, "RSA"))
        .isInstanceOf(CertificateException.class);
  }

  private static X509Certificate[] chain(CertificateAuthority ca, SecureRandom random)
      throws Exception {
    IssuedChain c =
        ca.issueDnsCertificate(
            Keys.ecP256(random).getPublic(), List.of("client.example"), Duration.ofHours(1));
    return c.fullChain().toArray(X509Certificate[]::new);
  }
}
