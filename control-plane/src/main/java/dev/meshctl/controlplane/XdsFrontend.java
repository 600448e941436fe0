package dev.meshctl.controlplane;

import dev.meshctl.controlplane.push.PushTarget;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.server.ConnectionStatus;
import dev.meshctl.xds.server.ProxyConfigDump;
import dev.meshctl.xds.server.XdsEvents;
import java.io.IOException;
import java.util.List;
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
   * Every connected proxy's stream status, for {@code /debug/syncz}; empty for a frontend that
   * tracks none. Any thread.
   */
  default List<ConnectionStatus> connections() {
    return List.of();
  }

  /**
   * What a connected proxy (node id or {@code POD.NAMESPACE}) would be served now, for {@code
   * /debug/config_dump}; empty when unknown or when the frontend cannot tell. Any thread.
   */
  default Optional<ProxyConfigDump> configDump(String proxyId) {
    return Optional.empty();
  }

  /**
   * Starts a frontend on a port (0 for an ephemeral one) that reports what it does to {@code
   * events}.
   */
  @FunctionalInterface
  interface Factory {
    XdsFrontend start(int port, XdsEvents events) throws IOException;
  }
}
