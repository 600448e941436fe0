package dev.meshctl.bench;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.XdsEvents;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The server-side view of a benchmark: responses, bytes and largest response per type, failures,
 * and a latch counting connected streams. Thread-safe (atomics only), as {@link XdsEvents}
 * requires.
 */
final class CountingEvents implements XdsEvents {
  private static final int TYPES = XdsType.values().length;

  final AtomicLongArray responses = new AtomicLongArray(TYPES);
  final AtomicLongArray bytes = new AtomicLongArray(TYPES);
  final AtomicLongArray largest = new AtomicLongArray(TYPES);
  final AtomicLong nacks = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong invalidNodes = new AtomicLong();
  final CountDownLatch connected;

  CountingEvents(int expectedConnections) {
    this.connected = new CountDownLatch(expectedConnections);
  }

  @Override
  public void connected(Proxy proxy) {
    connected.countDown();
  }

  @Override
  public void pushed(Proxy proxy, XdsType type, int size, int resourceCount) {
    int t = type.ordinal();
    responses.incrementAndGet(t);
    bytes.addAndGet(t, size);
    largest.accumulateAndGet(t, size, Math::max);
  }

  @Override
  public void nacked(Proxy proxy, XdsType type, String version, String errorMessage) {
    nacks.incrementAndGet();
  }

  @Override
  public void rejectedByValidation(
      Proxy proxy, XdsType type, String resourceName, List<Violation> violations) {
    rejected.incrementAndGet();
  }

  @Override
  public void generationFailed(Proxy proxy, XdsType type, Throwable error) {
    failures.incrementAndGet();
  }

  @Override
  public void invalidNode(String nodeId, String message) {
    invalidNodes.incrementAndGet();
  }

  long totalBytes() {
    long sum = 0;
    for (int t = 0; t < TYPES; t++) {
      sum += bytes.get(t);
    }
    return sum;
  }
}
