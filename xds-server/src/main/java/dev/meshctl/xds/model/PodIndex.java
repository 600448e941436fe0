package dev.meshctl.xds.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pods by namespace/name and by IP, with the locality of each pod. Immutable once built; safe to
 * read from any thread.
 */
public final class PodIndex {
  private final Map<NamespacedName, Pod> byId;
  private final Map<String, Pod> byIp;
  private final Map<String, Locality> nodeLocalities;

  private PodIndex(
      Map<NamespacedName, Pod> byId, Map<String, Pod> byIp, Map<String, Locality> nodeLocalities) {
    this.byId = Collections.unmodifiableMap(byId);
    this.byIp = Collections.unmodifiableMap(byIp);
    this.nodeLocalities = Map.copyOf(nodeLocalities);
  }

  /** Indexes pods without node localities. */
  public static PodIndex build(Collection<Pod> pods) {
    return build(pods, Map.of());
  }

  /**
   * Indexes pods; when two pods claim one IP, the one first in namespace/name order wins. {@code
   * nodeLocalities} maps node names to the locality of their topology labels.
   */
  public static PodIndex build(Collection<Pod> pods, Map<String, Locality> nodeLocalities) {
    Map<NamespacedName, Pod> byId = new TreeMap<>();
    pods.forEach(p -> byId.put(p.id(), p));
    Map<String, Pod> byIp = new TreeMap<>();
    for (Pod p : byId.values()) {
      for (String ip : p.podIps()) {
        byIp.putIfAbsent(ip, p);
      }
    }
    return new PodIndex(byId, byIp, nodeLocalities);
  }

  /**
   * A pod's locality as Istio reads it: the {@value Locality#POD_LABEL} label when set, else the
   * topology labels of the node it runs on; {@link Locality#UNKNOWN} when neither says.
   */
  public Locality locality(Pod pod) {
    String label = pod.labels().get(Locality.POD_LABEL);
    if (label != null && !label.isEmpty()) {
      return Locality.fromLabel(label);
    }
    return nodeLocality(pod.nodeName());
  }

  /** The locality of a node's topology labels; unknown for an unknown node. */
  public Locality nodeLocality(String nodeName) {
    return nodeLocalities.getOrDefault(nodeName, Locality.UNKNOWN);
  }

  public Optional<Pod> byId(NamespacedName id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Optional<Pod> byIp(String ip) {
    return Optional.ofNullable(byIp.get(ip));
  }

  /** All pods, ordered by namespace/name. */
  public Collection<Pod> all() {
    return byId.values();
  }
}
