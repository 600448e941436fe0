package dev.meshctl.controlplane.push;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigKey;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one push covers: the merged changes since the previous push. Immutable; any thread.
 *
 * @param full true when everything must be recomputed regardless of the keys (the first push)
 * @param changedKeys the union of the keys of every merged change, sorted
 * @param endpointOnly true when not full and every merged change was endpoint-only
 * @param mergedChanges how many store changes this push covers (0 for a push with none)
 */
public record PushRequest(
    boolean full, SortedSet<ConfigKey> changedKeys, boolean endpointOnly, int mergedChanges) {

  public PushRequest {
    changedKeys = Collections.unmodifiableSortedSet(new TreeSet<>(changedKeys));
    if (full && endpointOnly) {
      throw new IllegalArgumentException("a full push is not endpoint-only");
    }
  }

  /** The first push after start: everything, no change needed. */
  public static PushRequest initial() {
    return new PushRequest(true, new TreeSet<>(), false, 0);
  }

  /** A request covering one store change. */
  public static PushRequest of(ConfigChange change) {
    return new PushRequest(false, change.keys(), change.endpointOnly(), 1);
  }

  /** Both requests in one. */
  public PushRequest merge(PushRequest other) {
    TreeSet<ConfigKey> keys = new TreeSet<>(changedKeys);
    keys.addAll(other.changedKeys);
    boolean f = full || other.full;
    return new PushRequest(
        f, keys, !f && endpointOnly && other.endpointOnly, mergedChanges + other.mergedChanges);
  }
}
