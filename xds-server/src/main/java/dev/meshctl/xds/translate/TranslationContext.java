package dev.meshctl.xds.translate;

import dev.meshctl.xds.model.MeshSnapshot;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One push's input to the translators: the immutable {@link MeshSnapshot} plus a memo for results
 * that do not depend on the proxy (an outbound cluster, a ClusterLoadAssignment), so such a
 * resource is built once per push however many proxies receive it. The memo only ever caches pure
 * functions of the snapshot, so it never changes what a translation returns. Thread-safe: push
 * workers share one context.
 */
public final class TranslationContext {
  private final MeshSnapshot snapshot;
  private final Map<Object, Object> memo = new ConcurrentHashMap<>();

  public TranslationContext(MeshSnapshot snapshot) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
  }

  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Returns the memoised value for {@code key}, computing it with {@code compute} on first use.
   * {@code key} must identify everything the computation reads besides the snapshot (use a record).
   */
  @SuppressWarnings("unchecked")
  public <K, V> V memo(K key, Function<K, V> compute) {
    Object existing = memo.get(key);
    if (existing != null) {
      return (V) existing;
    }
    V value = compute.apply(key);
    Object raced = memo.putIfAbsent(key, value);
    return raced != null ? (V) raced : value;
  }
}
