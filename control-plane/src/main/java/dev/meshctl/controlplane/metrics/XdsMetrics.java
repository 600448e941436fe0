package dev.meshctl.controlplane.metrics;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.XdsEvents;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.time.Duration;
import java.util.List;

/**
 * The ADS server's events as Prometheus metrics, under Istio's names where Istio has one: {@code
 * pilot_xds} (connected proxies, by version), {@code pilot_xds_pushes} (responses sent, by type),
 * {@code pilot_xds_push_time} (seconds to generate and send one type to one proxy), {@code
 * pilot_proxy_convergence_time} (seconds from a push's first config change entering debounce to a
 * proxy having been sent all of it), {@code pilot_total_xds_rejects} (NACKs, by type), {@code
 * pilot_xds_expired_nonce}, {@code pilot_total_xds_internal_errors}; and {@code
 * meshctl_xds_validation_rejects} for resources we refused to send because they break Envoy's rules
 * (Istio has no such check). Called from push workers; thread-safe.
 */
public final class XdsMetrics implements XdsEvents {
  private final MetricsRegistry.Family connected;
  private final MetricsRegistry.Family pushes;
  private final MetricsRegistry.Family pushBytes;
  private final MetricsRegistry.Family rejects;
  private final MetricsRegistry.Family expiredNonce;
  private final MetricsRegistry.Family internalErrors;
  private final MetricsRegistry.Family validationRejects;
  private final MetricsRegistry.Family invalidNodes;
  private final MetricsRegistry.Histogram pushTime;
  private final MetricsRegistry.Histogram convergence;

  /** Istio's buckets for {@code pilot_proxy_convergence_time}, in seconds. */
  static final double[] CONVERGENCE_BUCKETS = {.1, .5, 1, 3, 5, 10, 20, 30};

  /** Istio's buckets for {@code pilot_xds_push_time}, in seconds. */
  static final double[] PUSH_TIME_BUCKETS = {.01, .1, 1, 3, 5, 10, 20, 30};

  public XdsMetrics(MetricsRegistry registry) {
    connected = registry.gauge("pilot_xds", "Number of connected xDS clients.", "version");
    pushes =
        registry.counter(
            "pilot_xds_pushes", "xDS responses sent, by type (cds, eds, lds, rds).", "type");
    pushBytes =
        registry.counter(
            "meshctl_xds_pushed_bytes", "Bytes of xDS responses sent, by type.", "type");
    rejects =
        registry.counter(
            "pilot_total_xds_rejects", "xDS responses rejected (NACKed) by proxies.", "type");
    expiredNonce =
        registry.counter(
            "pilot_xds_expired_nonce", "xDS requests answering an outdated response.", "type");
    internalErrors =
        registry.counter(
            "pilot_total_xds_internal_errors", "Errors while generating xDS for a proxy.");
    validationRejects =
        registry.counter(
            "meshctl_xds_validation_rejects",
            "Generated resources not sent because they break Envoy's validation rules.",
            "type");
    invalidNodes =
        registry.counter(
            "meshctl_xds_invalid_nodes", "xDS streams refused because their node is invalid.");
    pushTime =
        registry.histogram(
            "pilot_xds_push_time",
            "Total time in seconds Pilot takes to push lds, rds, cds and eds.",
            PUSH_TIME_BUCKETS,
            "type");
    convergence =
        registry.histogram(
            "pilot_proxy_convergence_time",
            "Delay in seconds between a config change and a proxy receiving all required"
                + " configuration.",
            CONVERGENCE_BUCKETS);
  }

  private static String version(Proxy proxy) {
    return proxy.istioVersion().isEmpty() ? "unknown" : proxy.istioVersion();
  }

  @Override
  public void connected(Proxy proxy) {
    connected.inc(version(proxy));
  }

  @Override
  public void disconnected(Proxy proxy) {
    connected.add(-1, version(proxy));
  }

  @Override
  public void invalidNode(String nodeId, String message) {
    invalidNodes.inc();
  }

  @Override
  public void pushed(Proxy proxy, XdsType type, int bytes, int resourceCount) {
    pushes.inc(type.shortName());
    pushBytes.add(bytes, type.shortName());
  }

  @Override
  public void pushTimeMillis(Proxy proxy, XdsType type, long millis) {
    pushTime.observe(millis / 1000.0, type.shortName());
  }

  @Override
  public void converged(Proxy proxy, Duration sinceTrigger) {
    convergence.observe(sinceTrigger.toNanos() / 1e9);
  }

  @Override
  public void nacked(Proxy proxy, XdsType type, String version, String errorMessage) {
    rejects.inc(type.shortName());
  }

  @Override
  public void staleNonce(Proxy proxy, XdsType type) {
    expiredNonce.inc(type.shortName());
  }

  @Override
  public void rejectedByValidation(
      Proxy proxy, XdsType type, String resourceName, List<Violation> violations) {
    validationRejects.inc(type.shortName());
  }

  @Override
  public void generationFailed(Proxy proxy, XdsType type, Throwable error) {
    internalErrors.inc();
  }
}
