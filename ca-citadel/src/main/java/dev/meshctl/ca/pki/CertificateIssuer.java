package dev.meshctl.ca.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds X.509 certificates: self-signed roots, intermediate CAs and end-entity (leaf)
 * certificates, with the extensions Istio's CA puts on each. Stateless; any thread. Validity and
 * serial randomness are inputs: the caller owns the clock and the {@link SecureRandom}.
 */
public final class CertificateIssuer {
  private CertificateIssuer() {}

  /** A subject of just {@code O=<organization>}, as Istio's self-signed root has. */
  public static X500Name organization(String organization) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organization).build();
  }

  /**
   * A self-signed CA certificate for {@code keys}: subject = issuer = {@code O=<organization>},
   * basicConstraints CA (critical), keyUsage keyCertSign + cRLSign (critical), subject key id.
   */
  public static X509Certificate selfSignedCa(
      KeyPair keys, String organization, Instant notBefore, Instant notAfter, SecureRandom random) {
    X500Name name = organization(organization);
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              Keys.serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              name,
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate(), random);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("building a self-signed CA certificate failed", e);
    }
  }

  /**
   * An intermediate CA certificate for {@code subjectKey}, signed by {@code issuer}: CA (critical),
   * keyCertSign + cRLSign, subject and authority key ids.
   */
  public static X509Certificate intermediateCa(
      X509Certificate issuer,
      PrivateKey issuerKey,
      PublicKey subjectKey,
      X500Name subject,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              Keys.serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              subjectKey);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
      return sign(b, issuerKey, random);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("building an intermediate CA certificate failed", e);
    }
  }

  /**
   * An end-entity certificate as Istio issues them: empty subject, the given SANs (critical, since
   * the subject is empty), basicConstraints not-CA (critical), keyUsage digitalSignature +
   * keyEncipherment (critical), extKeyUsage serverAuth + clientAuth, authority key id.
   */
  public static X509Certificate leaf(
      X509Certificate issuer,
      PrivateKey issuerKey,
      PublicKey subjectKey,
      GeneralNames subjectAltNames,
      Instant notBefore,
      Instant notAfter,
      SecureRandom random) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              Keys.serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              new X500Name(new RDN[0]),
              subjectKey);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.subjectAlternativeName, true, subjectAltNames);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
      return sign(b, issuerKey, random);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("building a leaf certificate failed", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key, SecureRandom r)
      throws GeneralSecurityException {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder(Keys.signatureAlgorithm(key)).setSecureRandom(r).build(key);
      byte[] der = b.build(signer).getEncoded();
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (OperatorCreationException | IOException e) {
      throw new GeneralSecurityException("signing the certificate failed: " + e.getMessage(), e);
    }
  }
}
