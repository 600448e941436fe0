package dev.meshctl.ca.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;

/**
 * Key pairs, serial numbers and signature algorithms for the CA. Stateless; any thread. Randomness
 * always comes from the caller's {@link SecureRandom} so tests and callers control it.
 */
public final class Keys {
  /** RSA size of keys we generate (Istio's CA and serving keys use the same). */
  public static final int RSA_BITS = 2048;

  private Keys() {}

  /** A fresh RSA key pair of {@code bits} bits. */
  public static KeyPair rsa(int bits, SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits, random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation unavailable in this JVM", e);
    }
  }

  /** A fresh ECDSA key pair on NIST P-256. */
  public static KeyPair ecP256(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 key generation unavailable in this JVM", e);
    }
  }

  /** A key pair of the same family as {@code like}: EC P-256 for EC keys, else RSA 2048. */
  public static KeyPair sameFamilyAs(PrivateKey like, SecureRandom random) {
    return like instanceof ECKey ? ecP256(random) : rsa(RSA_BITS, random);
  }

  /** The JCA signature algorithm a CA with this key signs with (SHA-256 based, as Istio's). */
  public static String signatureAlgorithm(PrivateKey key) {
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getOrder().bitLength();
      return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
    if ("RSA".equals(key.getAlgorithm())) {
      return "SHA256withRSA";
    }
    throw new IllegalArgumentException(
        "unsupported CA key algorithm " + key.getAlgorithm() + "; use RSA or ECDSA");
  }

  /**
   * Whether {@code privateKey} is the private half of {@code publicKey}: proven by signing a
   * challenge and verifying it, which works for every algorithm without comparing key internals.
   */
  public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    try {
      byte[] challenge = "meshctl key/certificate match check".getBytes();
      Signature signer = Signature.getInstance(signatureAlgorithm(privateKey));
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(signatureAlgorithm(privateKey));
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** A random positive 128-bit serial number (RFC 5280 allows up to 20 octets). */
  public static BigInteger serial(SecureRandom random) {
    BigInteger serial;
    do {
      serial = new BigInteger(128, random);
    } while (serial.signum() == 0);
    return serial;
  }
}
