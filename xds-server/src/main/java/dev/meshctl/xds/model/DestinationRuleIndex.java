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
 * subsets): the first by name wins. A rule with a {@code workloadSelector} applies only to the
 * workloads of its own namespace whose labels it selects (selectors never cross namespaces, as in
 * Istio), for outbound traffic, and takes precedence over every rule without a selector for them; a
 * workload of that namespace it does not select gets the namespace's own selector-less rule or none
 * (Istio does not fall back to the service's namespace then). Immutable once built; any thread.
 */
public final class DestinationRuleIndex {
  /** Namespace, then resolved host, to the rules there in name order. */
  private final Map<String, Map<String, List<IstioConfig>>> byNamespace;

  /** Rules with a workload selector: namespace, then resolved host, in name order. */
  private final Map<String, Map<String, List<IstioConfig>>> selectedByNamespace;

  private final String rootNamespace;

  private DestinationRuleIndex(
      Map<String, Map<String, List<IstioConfig>>> byNamespace,
      Map<String, Map<String, List<IstioConfig>>> selectedByNamespace,
      String rootNamespace) {
    this.byNamespace = Collections.unmodifiableMap(byNamespace);
    this.selectedByNamespace = Collections.unmodifiableMap(selectedByNamespace);
    this.rootNamespace = rootNamespace;
  }

  /** An index with no DestinationRule. */
  public static DestinationRuleIndex empty() {
    return new DestinationRuleIndex(new TreeMap<>(), new TreeMap<>(), "");
  }

  /** Indexes every DestinationRule without a workload selector. */
  public static DestinationRuleIndex build(
      String domainSuffix, String rootNamespace, Collection<IstioConfig> configs) {
    Map<String, Map<String, List<IstioConfig>>> byNamespace = new TreeMap<>();
    Map<String, Map<String, List<IstioConfig>>> selected = new TreeMap<>();
    List<IstioConfig> ordered = new ArrayList<>(configs);
    ordered.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name));
    for (IstioConfig c : ordered) {
      DestinationRule dr = c.spec(DestinationRule.class);
      if (dr.host() == null) {
        continue;
      }
      String host = IstioHosts.resolve(dr.host(), c.namespace(), domainSuffix);
      (selector(dr).isEmpty() ? byNamespace : selected)
          .computeIfAbsent(c.namespace(), k -> new TreeMap<>())
          .computeIfAbsent(host, k -> new ArrayList<>())
          .add(c);
    }
    return new DestinationRuleIndex(byNamespace, selected, rootNamespace);
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

  /**
   * Like {@link #forHost(String, String, String)} for a workload with {@code labels}: a rule of the
   * proxy's namespace whose workload selector selects it comes first.
   */
  public Optional<IstioConfig> forHost(
      String host, String proxyNamespace, String serviceNamespace, Map<String, String> labels) {
    Map<String, List<IstioConfig>> selected = selectedByNamespace.get(proxyNamespace);
    if (selected != null) {
      if (!labels.isEmpty()) {
        Optional<IstioConfig> own = inNamespace(filter(selected, labels), host, proxyNamespace);
        if (own.isPresent()) {
          return own;
        }
      }
      // Istio looks no further than the proxy's namespace once it holds any rule for the host: a
      // workload its selector rules do not pick gets that namespace's selector-less rule or none,
      // never the service namespace's.
      if (inNamespace(selected, host, proxyNamespace).isPresent()) {
        return inNamespace(proxyNamespace, host, proxyNamespace);
      }
    }
    return forHost(host, proxyNamespace, serviceNamespace);
  }

  /**
   * The rules with a workload selector that select a workload with {@code labels} in {@code
   * namespace}, as {@code namespace/name}, sorted: results computed per view can be shared by every
   * workload with the same list.
   */
  public List<String> selectedFor(String namespace, Map<String, String> labels) {
    Map<String, List<IstioConfig>> hosts = selectedByNamespace.get(namespace);
    if (hosts == null || labels.isEmpty()) {
      return List.of();
    }
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (List<IstioConfig> list : filter(hosts, labels).values()) {
      for (IstioConfig c : list) {
        out.add(c.namespace() + "/" + c.name());
      }
    }
    return List.copyOf(out);
  }

  private static Map<String, List<IstioConfig>> filter(
      Map<String, List<IstioConfig>> hosts, Map<String, String> labels) {
    Map<String, List<IstioConfig>> out = new TreeMap<>();
    for (Map.Entry<String, List<IstioConfig>> e : hosts.entrySet()) {
      List<IstioConfig> matching = new ArrayList<>();
      for (IstioConfig c : e.getValue()) {
        if (labels.entrySet().containsAll(selector(c.spec(DestinationRule.class)).entrySet())) {
          matching.add(c);
        }
      }
      if (!matching.isEmpty()) {
        out.put(e.getKey(), matching);
      }
    }
    return out;
  }

  private static Map<String, String> selector(DestinationRule dr) {
    return dr.workloadSelector() == null || dr.workloadSelector().matchLabels() == null
        ? Map.of()
        : dr.workloadSelector().matchLabels();
  }

  private Optional<IstioConfig> inNamespace(String ns, String host, String proxyNamespace) {
    return inNamespace(byNamespace.get(ns), host, proxyNamespace);
  }

  private static Optional<IstioConfig> inNamespace(
      Map<String, List<IstioConfig>> hosts, String host, String proxyNamespace) {
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
    namespaces.addAll(selectedByNamespace.keySet());
    namespaces.addAll(other.selectedByNamespace.keySet());
    for (String ns : namespaces) {
      out.addAll(
          IndexDiff.differingKeys(
              byNamespace.getOrDefault(ns, Map.of()),
              other.byNamespace.getOrDefault(ns, Map.of())));
      out.addAll(
          IndexDiff.differingKeys(
              selectedByNamespace.getOrDefault(ns, Map.of()),
              other.selectedByNamespace.getOrDefault(ns, Map.of())));
    }
    return out;
  }

  /** The namespaces holding at least one indexed rule, sorted. */
  public java.util.SortedSet<String> namespaces() {
    return Collections.unmodifiableSortedSet(new java.util.TreeSet<>(byNamespace.keySet()));
  }

  /** True when no DestinationRule is indexed. */
  public boolean isEmpty() {
    return byNamespace.isEmpty() && selectedByNamespace.isEmpty();
  }
}
