package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.DestinationRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * DestinationRules by namespace and host (resolved in the rule's namespace). The rule a proxy uses
 * for a service host is looked up as Istio does: a rule in the proxy's own namespace first, then
 * one in the service's namespace, then one in the mesh root namespace, each only if its {@code
 * exportTo} makes it visible to the proxy. Within a namespace an exact host beats the most specific
 * wildcard; two rules for the same host in one namespace are not merged (Istio merges their
 * subsets): the first by name wins. Rules with a {@code workloadSelector} are not indexed yet.
 * Immutable once built; any thread.
 */
public final class DestinationRuleIndex {
  /** Namespace, then resolved host, to the rules there in name order. */
  private final Map<String, Map<String, List<IstioConfig>>> byNamespace;

  private final String rootNamespace;

  private DestinationRuleIndex(
      Map<String, Map<String, List<IstioConfig>>> byNamespace, String rootNamespace) {
    this.byNamespace = Collections.unmodifiableMap(byNamespace);
    this.rootNamespace = rootNamespace;
  }

  /** An index with no DestinationRule. */
  public static DestinationRuleIndex empty() {
    return new DestinationRuleIndex(new TreeMap<>(), "");
  }

  /** Indexes every DestinationRule without a workload selector. */
  public static DestinationRuleIndex build(
      String domainSuffix, String rootNamespace, Collection<IstioConfig> configs) {
    Map<String, Map<String, List<IstioConfig>>> byNamespace = new TreeMap<>();
    List<IstioConfig> ordered = new ArrayList<>(configs);
    ordered.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name));
    for (IstioConfig c : ordered) {
      DestinationRule dr = c.spec(DestinationRule.class);
      if (dr.host() == null
          || (dr.workloadSelector() != null && !dr.workloadSelector().matchLabels().isEmpty())) {
        continue;
      }
      String host = IstioHosts.resolve(dr.host(), c.namespace(), domainSuffix);
      byNamespace
          .computeIfAbsent(c.namespace(), k -> new TreeMap<>())
          .computeIfAbsent(host, k -> new ArrayList<>())
          .add(c);
    }
    return new DestinationRuleIndex(byNamespace, rootNamespace);
  }

  /**
   * The rule for {@code host} (a service FQDN in {@code serviceNamespace}) as seen by a proxy in
   * {@code proxyNamespace}, or empty.
   */
  public Optional<IstioConfig> forHost(
      String host, String proxyNamespace, String serviceNamespace) {
    for (String ns : List.of(proxyNamespace, serviceNamespace, rootNamespace)) {
      Optional<IstioConfig> found = inNamespace(ns, host, proxyNamespace);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private Optional<IstioConfig> inNamespace(String ns, String host, String proxyNamespace) {
    Map<String, List<IstioConfig>> hosts = byNamespace.get(ns);
    if (hosts == null) {
      return Optional.empty();
    }
    Optional<IstioConfig> exact = firstVisible(hosts.get(host), proxyNamespace);
    if (exact.isPresent()) {
      return exact;
    }
    String best = null;
    for (String pattern : hosts.keySet()) {
      if (IstioHosts.isWildcard(pattern)
          && IstioHosts.matches(pattern, host)
          && (best == null || pattern.length() > best.length())
          && firstVisible(hosts.get(pattern), proxyNamespace).isPresent()) {
        best = pattern;
      }
    }
    return best == null ? Optional.empty() : firstVisible(hosts.get(best), proxyNamespace);
  }

  private static Optional<IstioConfig> firstVisible(
      List<IstioConfig> configs, String proxyNamespace) {
    if (configs == null) {
      return Optional.empty();
    }
    for (IstioConfig c : configs) {
      if (IstioHosts.visible(
          c.spec(DestinationRule.class).exportTo(), c.namespace(), proxyNamespace)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * The hosts (exact or wildcard, resolved) whose rules differ between this index and {@code other}
   * in some namespace, sorted: what a change of DestinationRules touches.
   */
  public java.util.SortedSet<String> hostsDifferingFrom(DestinationRuleIndex other) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    java.util.Set<String> namespaces = new java.util.TreeSet<>(byNamespace.keySet());
    namespaces.addAll(other.byNamespace.keySet());
    for (String ns : namespaces) {
      out.addAll(
          IndexDiff.differingKeys(
              byNamespace.getOrDefault(ns, Map.of()),
              other.byNamespace.getOrDefault(ns, Map.of())));
    }
    return out;
  }

  /** The namespaces holding at least one indexed rule, sorted. */
  public java.util.SortedSet<String> namespaces() {
    return Collections.unmodifiableSortedSet(new java.util.TreeSet<>(byNamespace.keySet()));
  }

  /** True when no DestinationRule is indexed. */
  public boolean isEmpty() {
    return byNamespace.isEmpty();
  }
}
