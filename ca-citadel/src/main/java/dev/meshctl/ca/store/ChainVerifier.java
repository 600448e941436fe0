package dev.meshctl.ca.store;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a CA certificate's path to a root with the JDK's PKIX validator (revocation not checked:
 * Istio's CA does not publish CRLs by default). Stateless; any thread.
 */
final class ChainVerifier {
  private ChainVerifier() {}

  /**
   * The root in {@code roots} that {@code signing} chains to through {@code intermediates} (nearest
   * first) at {@code at}, or null if none does. A signing certificate that is itself one of the
   * roots is its own anchor.
   */
  static X509Certificate anchorOf(
      X509Certificate signing,
      List<X509Certificate> intermediates,
      List<X509Certificate> roots,
      Instant at) {
    if (roots.contains(signing)) {
      return signing;
    }
    try {
      List<X509Certificate> path = new ArrayList<>();
      path.add(signing);
      path.addAll(intermediates);
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate r : roots) {
        anchors.add(new TrustAnchor(r, null));
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult)
              CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return result.getTrustAnchor().getTrustedCert();
    } catch (GeneralSecurityException e) {
      return null;
    }
  }
}
