package dev.meshctl.xds.model;

import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes Node, reduced to its labels: its topology labels give the locality of the endpoints
 * of pods running on it. Cluster-scoped: its key's namespace is {@code ""}. Immutable.
 *
 * @param name the node's name
 * @param labels its labels
 */
public record Node(String name, Map<String, String> labels) implements ConfigObject {
  /** The region label Kubernetes puts on nodes. */
  public static final String REGION_LABEL = "topology.kubernetes.io/region";

  /** The zone label Kubernetes puts on nodes. */
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  /** Istio's subzone label (set by the user on nodes). */
  public static final String SUBZONE_LABEL = "topology.istio.io/subzone";

  public Node {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
  }

  @Override
  public ConfigKey key() {
    return ConfigKey.of(ConfigKind.NODE, "", name);
  }

  /** The locality of this node's topology labels; {@link Locality#UNKNOWN} without any. */
  public Locality locality() {
    Locality l =
        new Locality(
            labels.getOrDefault(REGION_LABEL, ""),
            labels.getOrDefault(ZONE_LABEL, ""),
            labels.getOrDefault(SUBZONE_LABEL, ""));
    return l.isUnknown() ? Locality.UNKNOWN : l;
  }
}
