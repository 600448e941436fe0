package dev.meshctl.ca.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PEM encoding and decoding of certificates, private keys and PKCS#10 requests. Stateless; any
 * thread. Decoders throw {@link PemException} with a message saying what was expected and found,
 * never a parser's stack of causes alone.
 */
public final class Pem {
  private Pem() {}

  /** A PEM block was missing, of the wrong type, or undecodable. */
  public static final class PemException extends Exception {
    public PemException(String message) {
      super(message);
    }

    public PemException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Parses every certificate in {@code pem}, in order; at least one must be present. */
  public static List<X509Certificate> certificates(byte[] pem) throws PemException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = parser(pem)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Object o;
      while ((o = parser.readObject()) != null) {
        if (!(o instanceof org.bouncycastle.cert.X509CertificateHolder holder)) {
          throw new PemException("expected only CERTIFICATE blocks, found " + describe(o));
        }
        out.add(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
      }
    } catch (IOException | CertificateException e) {
      throw new PemException("not a valid PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new PemException("no PEM CERTIFICATE block found");
    }
    return List.copyOf(out);
  }

  /** Parses the single private key in {@code pem} (PKCS#1, PKCS#8 or SEC1). */
  public static PrivateKey privateKey(byte[] pem) throws PemException {
    try (PEMParser parser = parser(pem)) {
      Object o = parser.readObject();
      if (o == null) {
        throw new PemException("no PEM private key block found");
      }
      if (parser.readObject() != null) {
        throw new PemException("expected exactly one private key, found more than one PEM block");
      }
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new PemException(
          "expected an unencrypted private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY),"
              + " found "
              + describe(o));
    } catch (IOException e) {
      throw new PemException("not a valid PEM private key: " + e.getMessage(), e);
    }
  }

  /** Parses the single PKCS#10 certificate request in {@code pem}. */
  public static PKCS10CertificationRequest certificationRequest(String pem) throws PemException {
    try (PEMParser parser = parser(pem.getBytes(StandardCharsets.UTF_8))) {
      Object o = parser.readObject();
      if (!(o instanceof PKCS10CertificationRequest csr)) {
        throw new PemException(
            "expected a PEM CERTIFICATE REQUEST, found "
                + (o == null ? "no PEM block" : describe(o)));
      }
      return csr;
    } catch (IOException | RuntimeException e) {
      throw new PemException("not a valid PEM CERTIFICATE REQUEST: " + e.getMessage(), e);
    }
  }

  /** PEM text of one object (certificate, private key as PKCS#8, or PKCS#10 request). */
  public static String encode(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (object instanceof PrivateKey key) {
        // PKCS#8 ("PRIVATE KEY") for every algorithm: Go's and OpenSSL's parsers all accept it.
        writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
      } else {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new IllegalStateException("PEM encoding into memory failed", e);
    }
    return out.toString();
  }

  /** Concatenated PEM text of the given certificates, in order. */
  public static String encodeAll(List<X509Certificate> certificates) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certificates) {
      sb.append(encode(c));
    }
    return sb.toString();
  }

  private static PEMParser parser(byte[] pem) {
    return new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)));
  }

  private static String describe(Object o) {
    return o.getClass().getSimpleName();
  }
}
