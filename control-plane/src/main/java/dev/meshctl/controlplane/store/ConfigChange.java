package dev.meshctl.controlplane.store;

import dev.meshctl.xds.model.ConfigKey;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What changed in the {@link ConfigStore}: the keys (each with its kind) whose effective object was
 * added, replaced by a different value, or removed. Never empty. Immutable; any thread.
 *
 * @param keys the changed keys, sorted
 */
public record ConfigChange(SortedSet<ConfigKey> keys) {

  public ConfigChange {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a ConfigChange names at least one key");
    }
    keys = Collections.unmodifiableSortedSet(new TreeSet<>(keys));
  }

  public static ConfigChange of(Collection<ConfigKey> keys) {
    return new ConfigChange(new TreeSet<>(keys));
  }

  /**
   * True when every changed key is of an endpoint-only kind, so only endpoints (EDS) can differ and
   * clusters, listeners and routes can be kept.
   */
  public boolean endpointOnly() {
    return keys.stream().allMatch(k -> k.kind().endpointOnly());
  }

  /** The union of two changes: what a debounced push must cover. */
  public ConfigChange merge(ConfigChange other) {
    TreeSet<ConfigKey> union = new TreeSet<>(keys);
    union.addAll(other.keys);
    return new ConfigChange(union);
  }
}
