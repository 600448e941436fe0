package dev.meshctl.ca;

/**
 * A certificate request was refused. {@link #reason()} says which policy refused it, so the gRPC
 * layer can map it to a status code; the message is safe to return to the caller.
 */
public final class CertificateRequestException extends Exception {
  /** Why a request was refused. */
  public enum Reason {
    /** The CSR is not PEM PKCS#10, or its signature does not verify. */
    MALFORMED,
    /** The CSR's key is neither RSA of 2048 bits or more nor ECDSA P-256. */
    UNSUPPORTED_KEY,
    /** The CSR asks for a name the caller is not entitled to. */
    IDENTITY_MISMATCH,
    /** The requested lifetime exceeds the maximum. */
    TTL_TOO_LONG,
    /** The CA itself cannot sign now (its certificate has expired). */
    CA_UNAVAILABLE
  }

  private final Reason reason;

  public CertificateRequestException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
