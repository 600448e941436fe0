package dev.meshctl.ca.server;

import io.grpc.Metadata;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * One way of proving who calls the CA (and, later, the secure xDS port). Implementations must be
 * thread-safe: gRPC calls them concurrently from its transport threads.
 */
public interface Authenticator {
  /** Short name used in error messages, e.g. {@code kubernetes-jwt}. */
  String name();

  /** What a caller must send to use this authenticator, for the "no credentials" message. */
  String expects();

  /**
   * Authenticates one call.
   *
   * @param headers the request headers
   * @param tls the TLS session, or null on a plaintext connection
   * @return the caller, or empty if no credential of this kind was presented
   * @throws AuthenticationException if a credential of this kind was presented but is invalid
   */
  Optional<Caller> authenticate(Metadata headers, SSLSession tls) throws AuthenticationException;
}
