package dev.meshctl.xds.model;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Pods by namespace/name and by IP. Immutable once built; safe to read from any thread. */
public final class PodIndex {
  private final Map<NamespacedName, Pod> byId;
  private final Map<String, Pod> byIp;

  private PodIndex(Map<NamespacedName, Pod> byId, Map<String, Pod> byIp) {
    this.byId = Collections.unmodifiableMap(byId);
    this.byIp = Collections.unmodifiableMap(byIp);
  }

  /** Indexes pods; when two pods claim one IP, the one first in namespace/name order wins. */
  public static PodIndex build(Collection<Pod> pods) {
    Map<NamespacedName, Pod> byId = new TreeMap<>();
    pods.forEach(p -> byId.put(p.id(), p));
    Map<String, Pod> byIp = new TreeMap<>();
    for (Pod p : byId.values()) {
      for (String ip : p.podIps()) {
        byIp.putIfAbsent(ip, p);
      }
    }
    return new PodIndex(byId, byIp);
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
