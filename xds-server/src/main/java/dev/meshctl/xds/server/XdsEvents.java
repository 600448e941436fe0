package dev.meshctl.xds.server;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.time.Duration;
import java.util.List;

/**
 * What the ADS server reports as it serves proxies: the seam metrics (Prometheus {@code pilot_*})
 * and status reporting plug into, so the server itself depends on no metrics library. Every method
 * has a no-op default; implement only what you need.
 *
 * <p>Callbacks run on push-worker threads, possibly concurrently for different connections (never
 * concurrently for the same connection); they must be thread-safe and fast, and must not throw: an
 * exception is logged, but abandons the rest of the request or push it interrupted.
 */
public interface XdsEvents {

  /** Accepts every event and does nothing. */
  XdsEvents NONE = new XdsEvents() {};

  /** A stream sent a valid node and is now served ({@code pilot_xds} gauge up). */
  default void connected(Proxy proxy) {}

  /** A stream ended, by the client, an error or server shutdown ({@code pilot_xds} gauge down). */
  default void disconnected(Proxy proxy) {}

  /**
   * A stream's first request carried no node or one {@code ProxyParser} rejects; the stream was
   * closed with {@code INVALID_ARGUMENT}.
   */
  default void invalidNode(String nodeId, String message) {}

  /**
   * A response was sent ({@code pilot_xds_pushes{type}}, {@code pilot_xds_config_size_bytes}).
   *
   * @param bytes serialized size of the response
   * @param resourceCount resources in the response (for delta: added or changed ones)
   */
  default void pushed(Proxy proxy, XdsType type, int bytes, int resourceCount) {}

  /** Generating and sending one type for one proxy took this long ({@code pilot_xds_push_time}). */
  default void pushTimeMillis(Proxy proxy, XdsType type, long millis) {}

  /**
   * A connection finished a push caused by config changes: everything the push changed for this
   * proxy has been sent, {@code sinceTrigger} after the first of those changes entered debouncing
   * ({@code pilot_proxy_convergence_time}). Merged pushes report from the earliest change. Not
   * reported for a stream's initial responses nor for pushes no config change caused.
   */
  default void converged(Proxy proxy, Duration sinceTrigger) {}

  /** The proxy accepted {@code version} of {@code type}. */
  default void acked(Proxy proxy, XdsType type, String version) {}

  /**
   * The proxy rejected {@code version} of {@code type} ({@code pilot_total_xds_rejects}, {@code
   * pilot_xds_{cds,eds,lds,rds}_reject}). The version is not sent again to this stream.
   */
  default void nacked(Proxy proxy, XdsType type, String version, String errorMessage) {}

  /**
   * A request answered a nonce that is no longer current; ignored ({@code
   * pilot_xds_expired_nonce}).
   */
  default void staleNonce(Proxy proxy, XdsType type) {}

  /**
   * The {@link dev.meshctl.xds.validate.ResourceValidator} refused a generated resource, which was
   * therefore not sent. Reported once per connection, resource and resource version.
   */
  default void rejectedByValidation(
      Proxy proxy, XdsType type, String resourceName, List<Violation> violations) {}

  /** The generator threw for this proxy and type; nothing of that type was sent this time. */
  default void generationFailed(Proxy proxy, XdsType type, Throwable error) {}
}
