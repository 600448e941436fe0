package dev.meshctl.xds.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * A Kubernetes object's namespace and name. Immutable; ordered by namespace, then name, so that
 * everything derived from a collection of objects can be emitted in a deterministic order.
 */
public record NamespacedName(String namespace, String name) implements Comparable<NamespacedName> {
  private static final Comparator<NamespacedName> ORDER =
      Comparator.comparing(NamespacedName::namespace).thenComparing(NamespacedName::name);

  public NamespacedName {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  public static NamespacedName of(String namespace, String name) {
    return new NamespacedName(namespace, name);
  }

  @Override
  public int compareTo(NamespacedName o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
