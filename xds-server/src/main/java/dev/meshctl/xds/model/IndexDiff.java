package dev.meshctl.xds.model;

import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/** Comparison of two keyed indexes, shared by the indexes' diff methods. Pure; any thread. */
final class IndexDiff {
  private IndexDiff() {}

  /** The keys present in only one of the maps, or mapped to unequal values, sorted. */
  static <V> SortedSet<String> differingKeys(Map<String, V> a, Map<String, V> b) {
    SortedSet<String> out = new TreeSet<>();
    for (Map.Entry<String, V> e : a.entrySet()) {
      if (!Objects.equals(e.getValue(), b.get(e.getKey()))) {
        out.add(e.getKey());
      }
    }
    for (String k : b.keySet()) {
      if (!a.containsKey(k)) {
        out.add(k);
      }
    }
    return out;
  }
}
