package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Sidecar;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sidecar resources, and which one applies to a proxy, as Istio chooses: a Sidecar of the proxy's
 * namespace whose {@code workloadSelector} matches the proxy's labels, else the selector-less
 * Sidecar of that namespace, else the selector-less Sidecar of the root namespace (the mesh
 * default). Where Istio would pick the oldest of several candidates we pick the first by name,
 * since creation time is not part of our input. Immutable once built; any thread.
 */
public final class SidecarIndex {
  private final String rootNamespace;
  private final List<IstioConfig> sidecars;

  private SidecarIndex(String rootNamespace, List<IstioConfig> sidecars) {
    this.rootNamespace = rootNamespace;
    this.sidecars = sidecars;
  }

  public static SidecarIndex empty() {
    return new SidecarIndex("", List.of());
  }

  public static SidecarIndex build(String rootNamespace, Collection<IstioConfig> sidecars) {
    List<IstioConfig> ordered = new ArrayList<>(sidecars);
    ordered.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name));
    return new SidecarIndex(rootNamespace, List.copyOf(ordered));
  }

  /**
   * The namespaces whose Sidecar resources differ between this index and {@code other}, sorted. A
   * changed root namespace default reaches every namespace without a Sidecar of its own; callers
   * treat the root namespace as "everyone".
   */
  public java.util.SortedSet<String> namespacesDifferingFrom(SidecarIndex other) {
    return IndexDiff.differingKeys(byNamespace(sidecars), byNamespace(other.sidecars));
  }

  private static Map<String, List<IstioConfig>> byNamespace(List<IstioConfig> sidecars) {
    Map<String, List<IstioConfig>> out = new java.util.TreeMap<>();
    for (IstioConfig c : sidecars) {
      out.computeIfAbsent(c.namespace(), k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  /** The Sidecar that applies to a proxy in {@code namespace} with {@code labels}, if any. */
  public Optional<IstioConfig> forProxy(String namespace, Map<String, String> labels) {
    IstioConfig namespaceDefault = null;
    IstioConfig rootDefault = null;
    for (IstioConfig c : sidecars) {
      Sidecar s = c.spec(Sidecar.class);
      boolean selectorless =
          s.workloadSelector() == null
              || s.workloadSelector().labels() == null
              || s.workloadSelector().labels().isEmpty();
      if (c.namespace().equals(namespace)) {
        if (!selectorless
            && labels.entrySet().containsAll(s.workloadSelector().labels().entrySet())) {
          return Optional.of(c);
        }
        if (selectorless && namespaceDefault == null) {
          namespaceDefault = c;
        }
      } else if (c.namespace().equals(rootNamespace) && selectorless && rootDefault == null) {
        rootDefault = c;
      }
    }
    return Optional.ofNullable(namespaceDefault != null ? namespaceDefault : rootDefault);
  }

  /** Every Sidecar, ordered by namespace and name. */
  public List<IstioConfig> all() {
    return sidecars;
  }

  public boolean isEmpty() {
    return sidecars.isEmpty();
  }
}
