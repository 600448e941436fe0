package dev.meshctl.xds.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Kubernetes Secrets by namespace and name. Lookups always name the namespace: a proxy is only ever
 * served Secrets of its own namespace, and this index offers no way to search across namespaces.
 * Immutable; any thread.
 */
public final class SecretIndex {
  private static final SecretIndex EMPTY = new SecretIndex(new TreeMap<>());

  private final SortedMap<NamespacedName, Secret> byId;

  private SecretIndex(SortedMap<NamespacedName, Secret> byId) {
    this.byId = Collections.unmodifiableSortedMap(byId);
  }

  /** Indexes {@code secrets}; with two of one id the last wins (a store never holds two). */
  public static SecretIndex build(Collection<Secret> secrets) {
    if (secrets.isEmpty()) {
      return EMPTY;
    }
    SortedMap<NamespacedName, Secret> m = new TreeMap<>();
    for (Secret s : secrets) {
      m.put(s.id(), s);
    }
    return new SecretIndex(m);
  }

  public static SecretIndex empty() {
    return EMPTY;
  }

  /** The Secret {@code name} of {@code namespace}. */
  public Optional<Secret> get(String namespace, String name) {
    return Optional.ofNullable(byId.get(NamespacedName.of(namespace, name)));
  }

  public int size() {
    return byId.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretIndex other && byId.equals(other.byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }

  /** {@code SecretIndex[ns/a, ns/b]}: names only. */
  @Override
  public String toString() {
    return "SecretIndex" + byId.keySet();
  }
}
