package dev.meshctl.controlplane;

import dev.meshctl.controlplane.push.PushTarget;
import dev.meshctl.xds.server.AdsServer;
import java.io.IOException;
import java.util.Optional;

/**
 * The xDS-serving side as the control plane sees it: a {@link PushTarget} that listens on a port.
 * The real one is {@link dev.meshctl.controlplane.xds.AdsXdsFrontend}; tests may record pushes
 * instead. {@link #push} is called by the push thread; {@link #port()} and {@link #close()} by the
 * owner.
 */
public interface XdsFrontend extends PushTarget, AutoCloseable {

  /** The port actually listened on (the ephemeral one when started with port 0). */
  int port();

  @Override
  void close();

  /**
   * The ADS server behind this frontend, so the secure xDS port can serve the same one; empty for
   * frontends that are not an ADS server (test recorders).
   */
  default Optional<AdsServer> adsServer() {
    return Optional.empty();
  }

  /**
   * Starts a frontend on a port (0 for an ephemeral one) that reports what it does to {@code
   * events}.
   */
  @FunctionalInterface
  interface Factory {
    XdsFrontend start(int port, dev.meshctl.xds.server.XdsEvents events) throws IOException;
  }
}
