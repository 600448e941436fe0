package dev.meshctl.xds.server;

import dev.meshctl.xds.proxy.Proxy;
import java.util.Optional;

/**
 * Decides whether the caller of an ADS stream may claim the node its first request declares (the
 * secure xDS port's check that a proxy only asks for config of its own namespace and service
 * account). Called once per stream, on the stream's serial executor, with the gRPC {@link
 * io.grpc.Context} of the stream's call attached, so an interceptor's context values (the
 * authenticated caller) are visible. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface NodeAuthorizer {
  /** Lets every node through: the plaintext port, where there is no caller identity. */
  NodeAuthorizer ALLOW_ALL = proxy -> Optional.empty();

  /**
   * Checks a parsed node.
   *
   * @return empty to accept the stream, or the reason it is refused (sent to the proxy with {@code
   *     PERMISSION_DENIED})
   */
  Optional<String> denial(Proxy proxy);
}
