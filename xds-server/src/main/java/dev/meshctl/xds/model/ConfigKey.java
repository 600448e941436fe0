package dev.meshctl.xds.model;

import java.util.Comparator;
import java.util.Objects;

/** Identifies one {@link ConfigObject}: its kind, namespace and name. Ordered, immutable. */
public record ConfigKey(ConfigKind kind, NamespacedName id) implements Comparable<ConfigKey> {
  private static final Comparator<ConfigKey> ORDER =
      Comparator.comparing(ConfigKey::kind).thenComparing(ConfigKey::id);

  public ConfigKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
  }

  public static ConfigKey of(ConfigKind kind, String namespace, String name) {
    return new ConfigKey(kind, NamespacedName.of(namespace, name));
  }

  @Override
  public int compareTo(ConfigKey o) {
    return ORDER.compare(this, o);
  }

  /** {@code EndpointSlice default/reviews-abc}: how diagnostics name an object. */
  @Override
  public String toString() {
    return kind.kubeKind() + " " + id;
  }
}
