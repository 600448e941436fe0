package dev.meshctl.ca.server;

import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.SpiffeId;
import io.grpc.Metadata;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates a caller by the client certificate it presented over mutual TLS: a workload
 * certificate this CA issued (so a workload renews with its current certificate). The chain is
 * verified here against the CA's roots with PKIX at the injected clock's time, independently of how
 * the TLS layer was configured, and the identity is the certificate's SPIFFE URI SAN in our trust
 * domain. Thread-safe.
 */
public final class ClientCertificateAuthenticator implements Authenticator {
  private static final int URI_SAN = 6;

  private final CertificateAuthority ca;
  private final Clock clock;

  public ClientCertificateAuthenticator(CertificateAuthority ca, Clock clock) {
    this.ca = ca;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "client-certificate";
  }

  @Override
  public String expects() {
    return "a client certificate issued by this CA";
  }

  @Override
  public Optional<Caller> authenticate(Metadata headers, SSLSession tls)
      throws AuthenticationException {
    if (tls == null) {
      return Optional.empty();
    }
    Certificate[] peer;
    try {
      peer = tls.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (peer == null || peer.length == 0) {
      return Optional.empty();
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate c : peer) {
      chain.add((X509Certificate) c);
    }
    verify(chain);
    X509Certificate leaf = chain.get(0);
    String trustDomain = ca.options().trustDomain();
    for (String uri : uriSans(leaf)) {
      Optional<SpiffeId> id = SpiffeId.parse(uri);
      if (id.isPresent() && id.get().trustDomain().equals(trustDomain)) {
        return Optional.of(
            new Caller(
                id.get().namespace(), id.get().serviceAccount(), Caller.Method.CLIENT_CERTIFICATE));
      }
    }
    throw new AuthenticationException(
        "the client certificate has no SPIFFE identity in trust domain \"" + trustDomain + "\"");
  }

  private void verify(List<X509Certificate> chain) throws AuthenticationException {
    List<X509Certificate> roots = ca.keyMaterial().roots();
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!roots.contains(c)) {
        path.add(c);
      }
    }
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate r : roots) {
        anchors.add(new TrustAnchor(r, null));
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new AuthenticationException(
          "the client certificate was not issued by this CA or is not valid now: "
              + e.getMessage());
    }
  }

  private static List<String> uriSans(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
            out.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // An unparsable SAN extension carries no identity we can use.
    }
    return out;
  }
}
