package dev.meshctl.controlplane;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.translate.TranslationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for the ADS server: serves nothing and logs one line per push with the number of
 * services and endpoints, so the pipeline up to the push can run end to end. Push thread only.
 */
public final class LoggingXdsFrontend implements XdsFrontend {
  private static final Logger log = LoggerFactory.getLogger(LoggingXdsFrontend.class);
  private final int port;

  /** Remembers {@code port} for reporting; does not bind it. */
  public LoggingXdsFrontend(int port) {
    this.port = port;
    log.warn("event=xds_not_serving xds_port={} reason=\"placeholder push target\"", port);
  }

  @Override
  public void push(TranslationContext ctx) {
    MeshSnapshot s = ctx.snapshot();
    int endpoints = s.endpoints().all().values().stream().mapToInt(java.util.List::size).sum();
    log.info(
        "event=xds_push_placeholder services={} endpoints={} pods={}",
        s.services().size(),
        endpoints,
        s.pods().all().size());
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public boolean serving() {
    return false;
  }

  @Override
  public void close() {}
}
