package dev.meshctl.controlplane.security;

import dev.meshctl.ca.server.AuthenticatingInterceptor;
import dev.meshctl.ca.server.Caller;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.NodeAuthorizer;
import java.util.Optional;

/**
 * Istio's XDS_AUTH check on the secure xDS port: the proxy's node must be of the authenticated
 * caller's namespace (metadata {@code NAMESPACE}, else the namespace in the node id) and, when it
 * declares one (metadata {@code SERVICE_ACCOUNT}), of the caller's service account. The caller is
 * the one {@link AuthenticatingInterceptor} put in the gRPC context; with none the stream is
 * refused. Stateless; any thread.
 */
public final class CallerNodeAuthorizer implements NodeAuthorizer {
  @Override
  public Optional<String> denial(Proxy proxy) {
    Caller caller = AuthenticatingInterceptor.CALLER.get();
    if (caller == null) {
      return Optional.of(
          "node \"" + proxy.nodeId() + "\": no authenticated caller on the secure xDS port");
    }
    String who =
        "the caller is service account \""
            + caller.serviceAccount()
            + "\" of namespace \""
            + caller.namespace()
            + "\"";
    if (!proxy.namespace().equals(caller.namespace())) {
      return Optional.of(
          "node \""
              + proxy.nodeId()
              + "\" claims namespace \""
              + proxy.namespace()
              + "\", but "
              + who
              + "; a proxy may only claim its own namespace");
    }
    if (!proxy.serviceAccount().isEmpty()
        && !proxy.serviceAccount().equals(caller.serviceAccount())) {
      return Optional.of(
          "node \""
              + proxy.nodeId()
              + "\" claims service account \""
              + proxy.serviceAccount()
              + "\", but "
              + who
              + "; a proxy may only claim its own service account");
    }
    return Optional.empty();
  }
}
