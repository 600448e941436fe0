package dev.meshctl.ca.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * One generation of the serving certificate. Immutable; any thread.
 *
 * @param generation 1 for the first certificate, incremented on each rotation
 * @param key the private key
 * @param chain the leaf first, then the CA certificates up to the root
 * @param notAfter the leaf's expiry
 * @param renewAt when it is replaced (half its lifetime)
 */
public record ServingCertificate(
    long generation,
    PrivateKey key,
    List<X509Certificate> chain,
    Instant notAfter,
    Instant renewAt) {
  public ServingCertificate {
    chain = List.copyOf(chain);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }
}
