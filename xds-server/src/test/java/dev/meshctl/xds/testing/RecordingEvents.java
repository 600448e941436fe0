package dev.meshctl.xds.testing;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.XdsEvents;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link XdsEvents} that records each event as one readable line, e.g. {@code nacked
 * sidecar~...~ns.svc.cluster.local cds 1a2b: bad cluster}, for assertions. Thread-safe.
 */
public final class RecordingEvents implements XdsEvents {
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Every event so far, oldest first. */
  public List<String> events() {
    return List.copyOf(events);
  }

  /** The events starting with {@code kind + " "}. */
  public List<String> of(String kind) {
    return events.stream().filter(e -> e.startsWith(kind + " ")).toList();
  }

  @Override
  public void connected(Proxy proxy) {
    events.add("connected " + proxy.nodeId());
  }

  @Override
  public void disconnected(Proxy proxy) {
    events.add("disconnected " + proxy.nodeId());
  }

  @Override
  public void invalidNode(String nodeId, String message) {
    events.add("invalidNode " + nodeId + ": " + message);
  }

  @Override
  public void pushed(Proxy proxy, XdsType type, int bytes, int resourceCount) {
    events.add("pushed " + proxy.nodeId() + " " + type.shortName() + " " + resourceCount);
  }

  @Override
  public void converged(Proxy proxy, java.time.Duration sinceTrigger) {
    events.add("converged " + proxy.nodeId() + " " + sinceTrigger.toMillis() + "ms");
  }

  @Override
  public void acked(Proxy proxy, XdsType type, String version) {
    events.add("acked " + proxy.nodeId() + " " + type.shortName() + " " + version);
  }

  @Override
  public void nacked(Proxy proxy, XdsType type, String version, String errorMessage) {
    events.add(
        "nacked " + proxy.nodeId() + " " + type.shortName() + " " + version + ": " + errorMessage);
  }

  @Override
  public void staleNonce(Proxy proxy, XdsType type) {
    events.add("staleNonce " + proxy.nodeId() + " " + type.shortName());
  }

  @Override
  public void rejectedByValidation(
      Proxy proxy, XdsType type, String resourceName, List<Violation> violations) {
    events.add(
        "rejected "
            + proxy.nodeId()
            + " "
            + type.shortName()
            + " "
            + resourceName
            + ": "
            + violations);
  }

  @Override
  public void generationFailed(Proxy proxy, XdsType type, Throwable error) {
    events.add(
        "generationFailed " + proxy.nodeId() + " " + type.shortName() + ": " + error.getMessage());
  }
}
