package dev.meshctl.controlplane.push;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigKey;
import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one push covers: the merged changes since the previous push. Immutable; any thread.
 *
 * @param full true when everything must be recomputed regardless of the keys (the first push)
 * @param changedKeys the union of the keys of every merged change, sorted
 * @param endpointOnly true when not full and every merged change was endpoint-only
 * @param mergedChanges how many store changes this push covers (0 for a push with none)
 * @param triggeredAt when the first change of this push entered debouncing (the push loop's clock),
 *     set by the loop as it hands the push over; proxies' convergence time is measured from it.
 *     Merging keeps the earliest
 */
public record PushRequest(
    boolean full,
    SortedSet<ConfigKey> changedKeys,
    boolean endpointOnly,
    int mergedChanges,
    Optional<Instant> triggeredAt) {

  public PushRequest {
    Objects.requireNonNull(triggeredAt, "triggeredAt");
    changedKeys = Collections.unmodifiableSortedSet(new TreeSet<>(changedKeys));
    if (full && endpointOnly) {
      throw new IllegalArgumentException("a full push is not endpoint-only");
    }
  }

  /** A request with no trigger time yet. */
  public PushRequest(
      boolean full, SortedSet<ConfigKey> changedKeys, boolean endpointOnly, int mergedChanges) {
    this(full, changedKeys, endpointOnly, mergedChanges, Optional.empty());
  }

  /** This request, its first change having entered debouncing at {@code triggeredAt}. */
  public PushRequest withTrigger(Instant triggeredAt) {
    return new PushRequest(
        full, changedKeys, endpointOnly, mergedChanges, Optional.of(triggeredAt));
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
    Optional<Instant> earliest =
        triggeredAt.isEmpty()
                || (other.triggeredAt.isPresent()
                    && other.triggeredAt.get().isBefore(triggeredAt.get()))
            ? other.triggeredAt
            : triggeredAt;
    return new PushRequest(
        f,
        keys,
        !f && endpointOnly && other.endpointOnly,
        mergedChanges + other.mergedChanges,
        earliest);
  }
}
