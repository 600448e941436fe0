package dev.meshctl.ca;

import dev.meshctl.ca.pki.Pem;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate we signed and what a peer needs to verify it. Immutable; any thread.
 *
 * @param leaf the issued certificate
 * @param chainAboveLeaf issuing CA certificates, nearest first, the root last
 * @param rootBundlePem the whole trust bundle (one or more roots) as PEM
 */
public record IssuedChain(
    X509Certificate leaf, List<X509Certificate> chainAboveLeaf, String rootBundlePem) {
  public IssuedChain {
    chainAboveLeaf = List.copyOf(chainAboveLeaf);
  }

  /** The leaf followed by every CA certificate above it, root last. */
  public List<X509Certificate> fullChain() {
    List<X509Certificate> out = new ArrayList<>();
    out.add(leaf);
    out.addAll(chainAboveLeaf);
    return List.copyOf(out);
  }

  /**
   * The chain as {@code IstioCertificateResponse.cert_chain} carries it: one PEM certificate per
   * element, leaf first; the last element is the trust bundle (as Istio does, so that during a root
   * change it holds both roots and the client can still tell the roots apart).
   */
  public List<String> toResponsePem() {
    List<String> out = new ArrayList<>();
    out.add(Pem.encode(leaf));
    for (int i = 0; i < chainAboveLeaf.size() - 1; i++) {
      out.add(Pem.encode(chainAboveLeaf.get(i)));
    }
    out.add(rootBundlePem);
    return List.copyOf(out);
  }
}
