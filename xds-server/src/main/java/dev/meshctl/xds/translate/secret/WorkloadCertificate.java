package dev.meshctl.xds.translate.secret;

import java.util.Objects;

/**
 * A workload's own certificate as the control plane issued it: what SDS {@code default} and {@code
 * ROOTCA} are built from. Immutable; any thread. {@link #toString} leaves the private key out.
 *
 * @param spiffeId the identity in the certificate, {@code spiffe://<td>/ns/<ns>/sa/<sa>}
 * @param certificateChainPem the leaf then its issuers, PEM
 * @param privateKeyPem the leaf's private key, PEM
 * @param rootCertificatesPem the trust bundle (one or more roots), PEM
 */
public record WorkloadCertificate(
    String spiffeId, String certificateChainPem, String privateKeyPem, String rootCertificatesPem) {
  public WorkloadCertificate {
    Objects.requireNonNull(spiffeId, "spiffeId");
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(rootCertificatesPem, "rootCertificatesPem");
  }

  /** The identity and sizes only: the private key must never reach a log. */
  @Override
  public String toString() {
    return "WorkloadCertificate["
        + spiffeId
        + ", chain "
        + certificateChainPem.length()
        + " chars, key redacted]";
  }
}
