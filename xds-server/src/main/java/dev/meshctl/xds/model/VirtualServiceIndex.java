package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.VirtualService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VirtualServices bound to the {@code mesh} gateway (no {@code gateways}, or {@code mesh} among
 * them), by host. Hosts are resolved in the VirtualService's namespace ({@code reviews} in {@code
 * default} is {@code reviews.default.svc.<suffix>}). A lookup returns what a proxy in a namespace
 * sees ({@code exportTo}): the VirtualServices naming the host exactly or, when none does, those
 * whose most specific wildcard covers it.
 *
 * <p>Several VirtualServices for one host are merged: their HTTP routes are concatenated. Istio
 * orders them by creation time, which files do not carry, so we order by (namespace, name),
 * deterministically, and log a warning naming them. Immutable once built; any thread.
 */
public final class VirtualServiceIndex {
  private static final Logger log = LoggerFactory.getLogger(VirtualServiceIndex.class);
  private static final Comparator<IstioConfig> ORDER =
      Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name);

  /** Resolved host (exact or wildcard) to VirtualServices, each list in (namespace, name) order. */
  private final Map<String, List<IstioConfig>> byHost;

  private final List<String> warnings;

  private VirtualServiceIndex(Map<String, List<IstioConfig>> byHost, List<String> warnings) {
    this.byHost = Collections.unmodifiableMap(byHost);
    this.warnings = List.copyOf(warnings);
  }

  /** An index with no VirtualService. */
  public static VirtualServiceIndex empty() {
    return new VirtualServiceIndex(new TreeMap<>(), List.of());
  }

  /** Indexes every VirtualService config bound to the mesh gateway. */
  public static VirtualServiceIndex build(String domainSuffix, Collection<IstioConfig> configs) {
    Map<String, List<IstioConfig>> byHost = new TreeMap<>();
    List<IstioConfig> ordered = new ArrayList<>(configs);
    ordered.sort(ORDER);
    for (IstioConfig c : ordered) {
      VirtualService vs = c.spec(VirtualService.class);
      if (!boundToMesh(vs.gateways())) {
        continue;
      }
      for (String h : vs.hosts()) {
        String host = IstioHosts.resolve(h, c.namespace(), domainSuffix);
        List<IstioConfig> list = byHost.computeIfAbsent(host, k -> new ArrayList<>());
        if (!list.contains(c)) {
          list.add(c);
        }
      }
    }
    List<String> warnings = new ArrayList<>();
    byHost.forEach(
        (host, list) -> {
          if (list.size() > 1) {
            String names = String.join(", ", list.stream().map(IstioConfig::what).toList());
            warnings.add(
                "host "
                    + host
                    + " is bound by several VirtualServices; their HTTP routes are merged in"
                    + " (namespace, name) order: "
                    + names);
          }
        });
    byHost.replaceAll((k, v) -> List.copyOf(v));
    for (String w : warnings) {
      log.warn("event=virtual_service_merge {}", w);
    }
    return new VirtualServiceIndex(byHost, warnings);
  }

  /** {@code gateways} empty means {@code mesh}. */
  static boolean boundToMesh(List<String> gateways) {
    return gateways == null || gateways.isEmpty() || gateways.contains("mesh");
  }

  /**
   * The VirtualServices that route {@code host} (a service FQDN) for a proxy in {@code
   * proxyNamespace}, in merge order; empty when none does.
   */
  public List<IstioConfig> forHost(String host, String proxyNamespace) {
    List<IstioConfig> exact = visible(byHost.get(host), proxyNamespace);
    if (!exact.isEmpty()) {
      return exact;
    }
    // The most specific (longest) wildcard that covers the host and has a visible config.
    String best = null;
    for (String pattern : byHost.keySet()) {
      if (IstioHosts.isWildcard(pattern)
          && IstioHosts.matches(pattern, host)
          && (best == null || pattern.length() > best.length())
          && !visible(byHost.get(pattern), proxyNamespace).isEmpty()) {
        best = pattern;
      }
    }
    return best == null ? List.of() : visible(byHost.get(best), proxyNamespace);
  }

  private static List<IstioConfig> visible(List<IstioConfig> configs, String proxyNamespace) {
    if (configs == null) {
      return List.of();
    }
    List<IstioConfig> out = new ArrayList<>();
    for (IstioConfig c : configs) {
      if (IstioHosts.visible(
          c.spec(VirtualService.class).exportTo(), c.namespace(), proxyNamespace)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The hosts (exact or wildcard, resolved) whose VirtualServices differ between this index and
   * {@code other}, in either direction, sorted: what a change of VirtualServices touches.
   */
  public java.util.SortedSet<String> hostsDifferingFrom(VirtualServiceIndex other) {
    return IndexDiff.differingKeys(byHost, other.byHost);
  }

  /** Every indexed VirtualService with the hosts it is indexed under, sorted by host. */
  public Map<String, List<IstioConfig>> byHost() {
    return byHost;
  }

  /** Hosts bound by more than one VirtualService, one message each. */
  public List<String> warnings() {
    return warnings;
  }

  /** True when no VirtualService is indexed. */
  public boolean isEmpty() {
    return byHost.isEmpty();
  }
}
