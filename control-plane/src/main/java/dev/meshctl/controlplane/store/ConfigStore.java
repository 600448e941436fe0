package dev.meshctl.controlplane.store;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The current input objects of the mesh, fed by one or more named sources (the file source, later
 * the Kubernetes informers). Each source owns a set of objects; the effective object for a key is
 * the one from the lexicographically first source that declares it, so two sources declaring the
 * same key give a deterministic result.
 *
 * <p>Every update computes which effective objects actually changed (by value) and, only if some
 * did, hands a {@link ConfigChange} to every listener. Re-applying an equal object is not a change.
 *
 * <p>Thread-safe: sources call the update methods from their own threads; the push loop reads
 * {@link #snapshotObjects()}, a consistent copy. All state is guarded by {@code this}. The listener
 * is called after the lock is released, on the updating thread, so it must not block; it may see
 * changes of concurrent updates in either order (changes are merged as sets, so order is
 * irrelevant).
 */
public final class ConfigStore {
  // @GuardedBy("this")
  private final Map<String, Map<ConfigKey, ConfigObject>> bySource = new TreeMap<>();
  // @GuardedBy("this"): the winner per key, kept so reads never merge sources.
  private final Map<ConfigKey, ConfigObject> effective = new TreeMap<>();
  private final List<Consumer<ConfigChange>> listeners = new CopyOnWriteArrayList<>();
  private final List<StoreObserver> observers = new CopyOnWriteArrayList<>();

  /**
   * Registers a listener for later changes. Listeners are added during wiring, before sources
   * start, so no change is missed.
   */
  public void listen(Consumer<ConfigChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Registers an observer told of each changed key and whether it was removed; like listeners,
   * added during wiring.
   */
  public void observe(StoreObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  /**
   * Replaces everything {@code source} declared with {@code desired}: keys absent from it are
   * deleted. Returns the change, if any, that was also sent to the listener.
   */
  public Optional<ConfigChange> apply(String source, Map<ConfigKey, ConfigObject> desired) {
    Objects.requireNonNull(source, "source");
    for (Map.Entry<ConfigKey, ConfigObject> e : desired.entrySet()) {
      if (!e.getKey().equals(e.getValue().key())) {
        throw new IllegalArgumentException(
            "object " + e.getValue().key() + " filed under key " + e.getKey());
      }
    }
    Changed change;
    synchronized (this) {
      Map<ConfigKey, ConfigObject> previous = bySource.getOrDefault(source, Map.of());
      Set<ConfigKey> touched = new HashSet<>(previous.keySet());
      touched.addAll(desired.keySet());
      if (desired.isEmpty()) {
        bySource.remove(source);
      } else {
        bySource.put(source, new TreeMap<>(desired));
      }
      change = recompute(touched);
    }
    return publish(change);
  }

  /** Adds or replaces one object of {@code source}. */
  public Optional<ConfigChange> upsert(String source, ConfigObject object) {
    Changed change;
    synchronized (this) {
      bySource.computeIfAbsent(source, s -> new TreeMap<>()).put(object.key(), object);
      change = recompute(Set.of(object.key()));
    }
    return publish(change);
  }

  /** Removes one object of {@code source}; a no-op when the source did not declare it. */
  public Optional<ConfigChange> delete(String source, ConfigKey key) {
    Changed change;
    synchronized (this) {
      Map<ConfigKey, ConfigObject> objects = bySource.get(source);
      if (objects == null || objects.remove(key) == null) {
        return Optional.empty();
      }
      if (objects.isEmpty()) {
        bySource.remove(source);
      }
      change = recompute(Set.of(key));
    }
    return publish(change);
  }

  /** A consistent copy of every effective object, sorted by key. */
  public synchronized List<ConfigObject> snapshotObjects() {
    return List.copyOf(effective.values());
  }

  /** The effective object for {@code key}, if any. */
  public synchronized Optional<ConfigObject> get(ConfigKey key) {
    return Optional.ofNullable(effective.get(key));
  }

  /** Number of effective objects. */
  public synchronized int size() {
    return effective.size();
  }

  // Caller holds the lock. Returns null when no effective object changed.
  private Changed recompute(Set<ConfigKey> touched) {
    TreeSet<ConfigKey> changed = new TreeSet<>();
    Set<ConfigKey> removed = new HashSet<>();
    for (ConfigKey key : touched) {
      ConfigObject winner = null;
      for (Map<ConfigKey, ConfigObject> objects : bySource.values()) {
        winner = objects.get(key);
        if (winner != null) {
          break;
        }
      }
      ConfigObject before = winner == null ? effective.remove(key) : effective.put(key, winner);
      if (!Objects.equals(before, winner)) {
        changed.add(key);
        if (winner == null) {
          removed.add(key);
        }
      }
    }
    return changed.isEmpty() ? null : new Changed(new ConfigChange(changed), removed);
  }

  /** A change and which of its keys were removed (for observers). */
  private record Changed(ConfigChange change, Set<ConfigKey> removed) {}

  private Optional<ConfigChange> publish(Changed changed) {
    if (changed == null) {
      return Optional.empty();
    }
    for (StoreObserver observer : observers) {
      for (ConfigKey key : changed.change().keys()) {
        observer.changed(key, changed.removed().contains(key));
      }
    }
    for (Consumer<ConfigChange> listener : listeners) {
      listener.accept(changed.change());
    }
    return Optional.of(changed.change());
  }
}
