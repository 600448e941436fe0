package dev.meshctl.xds.model;

import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes Namespace, reduced to its labels: mesh config's {@code discoverySelectors} select
 * namespaces by label. Cluster-scoped: its key's namespace is {@code ""}. Immutable.
 *
 * @param name the namespace's name
 * @param labels its labels
 */
public record Namespace(String name, Map<String, String> labels) implements ConfigObject {

  public Namespace {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
  }

  @Override
  public ConfigKey key() {
    return ConfigKey.of(ConfigKind.NAMESPACE, "", name);
  }
}
