package dev.meshctl.ca;

import dev.meshctl.ca.CertificateRequestException.Reason;
import dev.meshctl.ca.pki.CertificateIssuer;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.pki.Pem.PemException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Signs certificates with the CA key: workload certificates from PKCS#10 CSRs for an authenticated
 * {@link SpiffeId}, and DNS certificates for the control plane's own endpoints.
 *
 * <p>The identity in a workload certificate is always the caller's, never what the CSR says; a CSR
 * that asks for any other name is refused. Only the CSR's public key is used: RSA of at least 2048
 * bits or ECDSA P-256, and the CSR's signature must verify. Certificates start two minutes in the
 * past (clock skew between peers, as Istio does) and never outlive the CA's own chain.
 *
 * <p>Thread-safe: key material can be swapped with {@link #replaceKeyMaterial} while signing.
 */
public final class CertificateAuthority {
  /** How far back {@code notBefore} is set, so peers with slightly slow clocks accept it. */
  public static final Duration CLOCK_SKEW_GRACE = Duration.ofMinutes(2);

  private static final int MIN_RSA_BITS = 2048;

  private final CaOptions options;
  private final Clock clock;
  private final SecureRandom random;
  private volatile CaKeyMaterial material;

  public CertificateAuthority(
      CaKeyMaterial material, CaOptions options, Clock clock, SecureRandom random) {
    this.material = Objects.requireNonNull(material, "material");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  public CertificateAuthority(CaKeyMaterial material, CaOptions options, Clock clock) {
    this(material, options, clock, new SecureRandom());
  }

  public CaOptions options() {
    return options;
  }

  public CaKeyMaterial keyMaterial() {
    return material;
  }

  /** Swaps in new key material (root rotation); later signatures use it. */
  public void replaceKeyMaterial(CaKeyMaterial next) {
    this.material = Objects.requireNonNull(next, "next");
  }

  /** The identity of {@code serviceAccount} in {@code namespace} in our trust domain. */
  public SpiffeId identity(String namespace, String serviceAccount) {
    return new SpiffeId(options.trustDomain(), namespace, serviceAccount);
  }

  /**
   * Signs {@code csrPem} for {@code identity}.
   *
   * @param requestedTtl the lifetime asked for; null, zero or negative means the default
   * @throws CertificateRequestException if the request is refused; the message says why
   */
  public IssuedChain signWorkload(String csrPem, SpiffeId identity, Duration requestedTtl)
      throws CertificateRequestException {
    if (!identity.trustDomain().equals(options.trustDomain())) {
      throw new CertificateRequestException(
          Reason.IDENTITY_MISMATCH,
          "identity "
              + identity
              + " is outside this CA's trust domain \""
              + options.trustDomain()
              + "\"");
    }
    PKCS10CertificationRequest csr = parse(csrPem);
    PublicKey key = checkKey(csr);
    checkSignature(csr, key);
    checkRequestedNames(csr, identity);
    Duration ttl = lifetime(requestedTtl);
    GeneralNames sans =
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
    return issue(key, sans, ttl);
  }

  /**
   * Issues a certificate with the given DNS names for a key the control plane generated itself (its
   * serving certificate). No request policy applies: the caller is trusted code.
   */
  public IssuedChain issueDnsCertificate(PublicKey key, List<String> dnsNames, Duration ttl)
      throws CertificateRequestException {
    if (dnsNames.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
    }
    GeneralName[] names = new GeneralName[dnsNames.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
    }
    return issue(key, new GeneralNames(names), ttl);
  }

  private IssuedChain issue(PublicKey key, GeneralNames sans, Duration ttl)
      throws CertificateRequestException {
    CaKeyMaterial m = material;
    Instant now = clock.instant();
    Instant caNotAfter = m.chainNotAfter();
    if (!now.isBefore(caNotAfter)) {
      throw new CertificateRequestException(
          Reason.CA_UNAVAILABLE,
          "the CA certificate chain expired at " + caNotAfter + "; no certificate can be issued");
    }
    Instant notAfter = now.plus(ttl);
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    X509Certificate leaf =
        CertificateIssuer.leaf(
            m.signingCertificate(),
            m.signingKey(),
            key,
            sans,
            now.minus(CLOCK_SKEW_GRACE),
            notAfter,
            random);
    return new IssuedChain(leaf, m.chainAboveLeaf(), m.rootBundlePem());
  }

  private Duration lifetime(Duration requested) throws CertificateRequestException {
    if (requested == null || requested.isZero() || requested.isNegative()) {
      return options.defaultTtl();
    }
    if (requested.compareTo(options.maxTtl()) > 0) {
      // Refused, not shortened, as Istio does: a client asking for more expects to get it.
      throw new CertificateRequestException(
          Reason.TTL_TOO_LONG,
          "requested validity "
              + requested.toSeconds()
              + "s exceeds the maximum of "
              + options.maxTtl().toSeconds()
              + "s");
    }
    return requested;
  }

  private static PKCS10CertificationRequest parse(String csrPem)
      throws CertificateRequestException {
    if (csrPem == null || csrPem.isBlank()) {
      throw new CertificateRequestException(Reason.MALFORMED, "csr: empty");
    }
    try {
      return Pem.certificationRequest(csrPem);
    } catch (PemException e) {
      throw new CertificateRequestException(Reason.MALFORMED, "csr: " + e.getMessage());
    }
  }

  private static PublicKey checkKey(PKCS10CertificationRequest csr)
      throws CertificateRequestException {
    AlgorithmIdentifier alg = csr.getSubjectPublicKeyInfo().getAlgorithm();
    ASN1ObjectIdentifier oid = alg.getAlgorithm();
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw unsupported("key algorithm " + oid.getId() + " could not be decoded");
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
      int bits = ((RSAPublicKey) key).getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        throw unsupported("RSA key of " + bits + " bits is too small");
      }
      return key;
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      if (SECObjectIdentifiers.secp256r1.equals(alg.getParameters())) {
        return key;
      }
      throw unsupported("ECDSA curve " + alg.getParameters() + " is not P-256");
    }
    throw unsupported("key algorithm " + key.getAlgorithm() + " (" + oid.getId() + ")");
  }

  private static CertificateRequestException unsupported(String what) {
    return new CertificateRequestException(
        Reason.UNSUPPORTED_KEY,
        "csr: " + what + "; supported keys are RSA (2048 bits or more) and ECDSA P-256");
  }

  private static void checkSignature(PKCS10CertificationRequest csr, PublicKey key)
      throws CertificateRequestException {
    boolean valid;
    try {
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (Exception e) {
      // An unknown or inconsistent signature algorithm is as bad as a wrong signature.
      valid = false;
    }
    if (!valid) {
      throw new CertificateRequestException(
          Reason.MALFORMED, "csr: signature does not verify with the CSR's own public key");
    }
  }

  /** Refuses a CSR naming anything but the caller's own SPIFFE ID in its SAN extension. */
  private static void checkRequestedNames(PKCS10CertificationRequest csr, SpiffeId identity)
      throws CertificateRequestException {
    List<String> refused = new ArrayList<>();
    for (Attribute attr : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (var value : attr.getAttrValues()) {
        Extensions ext = Extensions.getInstance(value);
        GeneralNames names = GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        if (names == null) {
          continue;
        }
        for (GeneralName n : names.getNames()) {
          if (n.getTagNo() == GeneralName.uniformResourceIdentifier
              && identity.uri().equals(DERIA5String.getInstance(n.getName()).getString())) {
            continue;
          }
          refused.add(describe(n));
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new CertificateRequestException(
          Reason.IDENTITY_MISMATCH,
          "csr asks for "
              + String.join(", ", refused)
              + " but the caller is authenticated as "
              + identity.uri()
              + "; a workload may only request its own identity");
    }
  }

  private static String ipAddress(GeneralName n) {
    byte[] octets = ASN1OctetString.getInstance(n.getName()).getOctets();
    try {
      return InetAddress.getByAddress(octets).getHostAddress();
    } catch (UnknownHostException e) {
      return "(" + octets.length + " octets)";
    }
  }

  private static String describe(GeneralName n) {
    return switch (n.getTagNo()) {
      case GeneralName.uniformResourceIdentifier ->
          "URI " + DERIA5String.getInstance(n.getName()).getString();
      case GeneralName.dNSName -> "DNS name " + DERIA5String.getInstance(n.getName()).getString();
      case GeneralName.rfc822Name -> "email " + DERIA5String.getInstance(n.getName()).getString();
      case GeneralName.iPAddress -> "IP address " + ipAddress(n);
      default -> "subject alternative name " + n;
    };
  }
}
