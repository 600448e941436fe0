package dev.meshctl.xds.server;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A point-in-time view of one ADS stream for debug endpoints ({@code /debug/connections}, {@code
 * syncz}) and proxy-status. Immutable; published by the connection after each change, so reading it
 * from any thread is safe and never blocks serving.
 *
 * @param nodeId the node id the proxy sent
 * @param connectionId unique per stream in this server: {@code NODE_ID-N}
 * @param connectedAt when the stream's first valid request arrived
 * @param delta true for an incremental (delta) xDS stream
 * @param types the requested types, in push order
 * @param proxy the proxy as parsed from its node (cluster id, Istio version, ...); its node id is
 *     {@code nodeId}
 */
public record ConnectionStatus(
    String nodeId,
    String connectionId,
    Instant connectedAt,
    boolean delta,
    Map<XdsType, TypeStatus> types,
    Proxy proxy) {

  public ConnectionStatus {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(proxy, "proxy");
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(connectedAt, "connectedAt");
    types = Collections.unmodifiableMap(new EnumMap<>(types));
  }

  /**
   * One type's state on one stream. Versions and nonces are {@code ""} when none was sent or acked.
   *
   * @param subscription what the proxy asked for
   * @param sentVersion version of the last response sent (delta: the system version over every
   *     resource of the type)
   * @param sentNonce nonce of the last response sent
   * @param ackedVersion last version the proxy ACKed
   * @param lastNack the last rejection, if any (kept after later ACKs, like Istio's LastError)
   * @param ackedNonce nonce of the last response the proxy ACKed (Istio's {@code NonceAcked}, what
   *     {@code /debug/syncz} reports as {@code *_acked})
   */
  public record TypeStatus(
      Subscription subscription,
      String sentVersion,
      String sentNonce,
      String ackedVersion,
      Optional<Nack> lastNack,
      String ackedNonce) {

    public TypeStatus {
      Objects.requireNonNull(subscription, "subscription");
      Objects.requireNonNull(sentVersion, "sentVersion");
      Objects.requireNonNull(sentNonce, "sentNonce");
      Objects.requireNonNull(ackedVersion, "ackedVersion");
      Objects.requireNonNull(lastNack, "lastNack");
      Objects.requireNonNull(ackedNonce, "ackedNonce");
    }

    /** A status without an acked nonce (kept for callers written before it was tracked). */
    public TypeStatus(
        Subscription subscription,
        String sentVersion,
        String sentNonce,
        String ackedVersion,
        Optional<Nack> lastNack) {
      this(subscription, sentVersion, sentNonce, ackedVersion, lastNack, "");
    }

    /**
     * Istio's proxy-status word: {@code NOT SENT}, {@code SYNCED} (acked == sent), {@code ERROR}
     * (the last sent version was rejected), else {@code STALE}.
     */
    public String syncState() {
      if (sentNonce.isEmpty()) {
        return "NOT SENT";
      }
      if (lastNack.isPresent() && lastNack.get().version().equals(sentVersion)) {
        return "ERROR";
      }
      return ackedVersion.equals(sentVersion) ? "SYNCED" : "STALE";
    }
  }

  /**
   * A rejected version.
   *
   * @param version the version the proxy refused
   * @param message the proxy's error_detail message
   */
  public record Nack(String version, String message) {
    public Nack {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(message, "message");
    }
  }
}
