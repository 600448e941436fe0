package dev.meshctl.ca.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Server-side key manager over a {@link ServingCertificateManager}. The alias names the
 * certificate's generation, so a handshake that picked an alias keeps a matching key and chain even
 * if a rotation happens between the TLS stack's calls. Client-side methods return null (this never
 * authenticates as a client). Thread-safe.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
  private static final String PREFIX = "serving-";

  private final ServingCertificateManager owner;

  RotatingKeyManager(ServingCertificateManager owner) {
    this.owner = owner;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    ServingCertificate c = owner.current();
    // The TLS stack asks per key type ("RSA", "EC", or TLS 1.2's "EC_EC"/"EC_RSA").
    return keyType != null && keyType.startsWith(c.key().getAlgorithm())
        ? PREFIX + c.generation()
        : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = chooseServerAlias(keyType, issuers, null);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    ServingCertificate c = lookup(alias);
    return c == null ? null : c.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    ServingCertificate c = lookup(alias);
    return c == null ? null : c.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  private ServingCertificate lookup(String alias) {
    if (alias == null || !alias.startsWith(PREFIX)) {
      return null;
    }
    try {
      return owner.byGeneration(Long.parseLong(alias.substring(PREFIX.length())));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
