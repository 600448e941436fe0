package dev.meshctl.ca.testing;

import dev.meshctl.ca.pki.CertificateIssuer;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test PKI: an operator's root and intermediate ("plugged-in CA"), and PKIX verification. */
public final class TestPki {
  private TestPki() {}

  /** An operator's two-level CA. */
  public record PluggedCa(
      KeyPair rootKeys, X509Certificate root, KeyPair intermediateKeys, X509Certificate ca) {
    /** The four files of Istio's cacerts layout. */
    public Map<String, byte[]> files() {
      Map<String, byte[]> m = new LinkedHashMap<>();
      m.put("ca-cert.pem", bytes(Pem.encode(ca)));
      m.put("ca-key.pem", bytes(Pem.encode(intermediateKeys.getPrivate())));
      m.put("root-cert.pem", bytes(Pem.encode(root)));
      m.put("cert-chain.pem", bytes(Pem.encode(ca) + Pem.encode(root)));
      return m;
    }
  }

  public static PluggedCa pluggedCa(String org, Instant now, SecureRandom random) {
    KeyPair rootKeys = Keys.ecP256(random);
    X509Certificate root =
        CertificateIssuer.selfSignedCa(
            rootKeys, org + " root", now.minusSeconds(60), now.plus(Duration.ofDays(365)), random);
    KeyPair caKeys = Keys.ecP256(random);
    X509Certificate ca =
        CertificateIssuer.intermediateCa(
            root,
            rootKeys.getPrivate(),
            caKeys.getPublic(),
            CertificateIssuer.organization(org + " intermediate"),
            now.minusSeconds(60),
            now.plus(Duration.ofDays(180)),
            random);
    return new PluggedCa(rootKeys, root, caKeys, ca);
  }

  /**
   * Validates {@code chain} (leaf first; trailing self-signed root ignored) with the JDK's PKIX
   * validator against {@code root} at {@code at}; throws if it does not verify.
   */
  public static PKIXCertPathValidatorResult verify(
      List<X509Certificate> chain, X509Certificate root, Instant at) throws Exception {
    List<X509Certificate> path =
        chain.get(chain.size() - 1).equals(root) ? chain.subList(0, chain.size() - 1) : chain;
    CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    return (PKIXCertPathValidatorResult)
        CertPathValidator.getInstance("PKIX").validate(certPath, params);
  }

  /** Parses each PEM element of a response chain into certificates, concatenated. */
  public static List<X509Certificate> parse(List<String> pemElements) throws Exception {
    java.util.ArrayList<X509Certificate> out = new java.util.ArrayList<>();
    for (String pem : pemElements) {
      out.addAll(Pem.certificates(bytes(pem)));
    }
    return out;
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
