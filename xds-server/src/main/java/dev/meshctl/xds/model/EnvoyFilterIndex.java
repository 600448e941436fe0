package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.EnvoyFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * EnvoyFilters, and which apply to a workload, as Istio selects them: those of the mesh root
 * namespace (a selector there selects workloads in every namespace), then those of the workload's
 * namespace, each when its {@code workloadSelector} is absent or contained in the workload's
 * labels, then stably ordered by {@code priority} (lower first; Istio's default 0). Filters
 * attached by {@code targetRefs} (Gateway API gateways) select no workload here. Immutable once
 * built; any thread.
 */
public final class EnvoyFilterIndex {
  private static final Comparator<IstioConfig> BY_PRIORITY_THEN_NAME =
      Comparator.comparingInt(EnvoyFilterIndex::priority).thenComparing(IstioConfig::name);

  private final String rootNamespace;
  private final List<IstioConfig> filters;

  private EnvoyFilterIndex(String rootNamespace, List<IstioConfig> filters) {
    this.rootNamespace = rootNamespace;
    this.filters = List.copyOf(filters);
  }

  /** Indexes EnvoyFilter configs. */
  public static EnvoyFilterIndex build(String rootNamespace, Collection<IstioConfig> configs) {
    List<IstioConfig> ordered = new ArrayList<>(configs);
    ordered.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(BY_PRIORITY_THEN_NAME));
    return new EnvoyFilterIndex(rootNamespace, ordered);
  }

  /** The filters that apply to a workload in {@code namespace} with {@code labels}, in order. */
  public List<IstioConfig> forWorkload(String namespace, Map<String, String> labels) {
    List<IstioConfig> out = new ArrayList<>();
    for (String ns :
        namespace.equals(rootNamespace) ? List.of(namespace) : List.of(rootNamespace, namespace)) {
      for (IstioConfig c : filters) {
        if (c.namespace().equals(ns) && selects(c.spec(EnvoyFilter.class), labels)) {
          out.add(c);
        }
      }
    }
    // Stable: equal priorities keep root-namespace filters first, then name order.
    out.sort(Comparator.comparingInt(EnvoyFilterIndex::priority));
    return out;
  }

  /** The (namespace/name) keys of the filters that apply, for memo keys. */
  public List<String> keysFor(String namespace, Map<String, String> labels) {
    return forWorkload(namespace, labels).stream()
        .map(c -> c.namespace() + "/" + c.name())
        .toList();
  }

  /** True when no filter is indexed. */
  public boolean isEmpty() {
    return filters.isEmpty();
  }

  private static boolean selects(EnvoyFilter f, Map<String, String> labels) {
    if (f.targetRefs() != null && !f.targetRefs().isEmpty()) {
      return false;
    }
    Map<String, String> selector =
        f.workloadSelector() == null || f.workloadSelector().labels() == null
            ? Map.of()
            : f.workloadSelector().labels();
    return labels.entrySet().containsAll(selector.entrySet());
  }

  private static int priority(IstioConfig c) {
    Integer p = c.spec(EnvoyFilter.class).priority();
    return p == null ? 0 : p;
  }
}
