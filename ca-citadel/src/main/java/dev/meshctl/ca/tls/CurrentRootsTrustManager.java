package dev.meshctl.ca.tls;

import dev.meshctl.ca.CertificateAuthority;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts whatever roots the CA has now: the JDK trust manager it delegates to is rebuilt when
 * {@link CertificateAuthority#keyMaterial()}'s roots change (root rotation), so a server built once
 * keeps accepting client certificates from the old and the new root during the overlap.
 * Thread-safe: the cached pair is replaced as one immutable value.
 */
final class CurrentRootsTrustManager extends X509ExtendedTrustManager {
  private record Built(List<X509Certificate> roots, X509ExtendedTrustManager delegate) {}

  private final CertificateAuthority ca;
  private volatile Built built;

  CurrentRootsTrustManager(CertificateAuthority ca) {
    this.ca = ca;
    this.built = build(ca.keyMaterial().roots());
  }

  private X509ExtendedTrustManager delegate() {
    List<X509Certificate> roots = ca.keyMaterial().roots();
    Built b = built;
    if (!b.roots().equals(roots)) {
      b = build(roots);
      built = b;
    }
    return b.delegate();
  }

  private static Built build(List<X509Certificate> roots) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate root : roots) {
        store.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x509) {
          return new Built(roots, x509);
        }
      }
      throw new IllegalStateException("no X509ExtendedTrustManager from " + tmf.getAlgorithm());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("building a trust manager for the CA roots failed", e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate().getAcceptedIssuers();
  }
}
