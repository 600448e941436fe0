package dev.meshctl.xds.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Resolves the inbound mutual-TLS mode of a workload port from PeerAuthentication policies, with
 * Istio's inheritance: a port-level mode of the workload's policy, else the workload policy's mode,
 * else the namespace policy's, else the mesh policy's (selector-less, in the root namespace), else
 * {@link MtlsMode#PERMISSIVE}. {@link MtlsMode#UNSET} at any level defers to the next. Several
 * policies at one level: the first by name wins (Istio takes the oldest; names keep the output
 * deterministic without timestamps). Immutable once built; any thread.
 */
public final class PeerAuthenticationIndex {
  private static final PeerAuthenticationIndex EMPTY =
      new PeerAuthenticationIndex("", new TreeMap<>(), new TreeMap<>());

  private final String rootNamespace;

  /** Namespace to its selector-less policy (first by name). */
  private final Map<String, PeerAuthenticationPolicy> namespaceWide;

  /** Namespace to its workload-scoped policies, in name order. */
  private final Map<String, List<PeerAuthenticationPolicy>> workloadScoped;

  private PeerAuthenticationIndex(
      String rootNamespace,
      Map<String, PeerAuthenticationPolicy> namespaceWide,
      Map<String, List<PeerAuthenticationPolicy>> workloadScoped) {
    this.rootNamespace = rootNamespace;
    this.namespaceWide = namespaceWide;
    this.workloadScoped = workloadScoped;
  }

  /** No policy anywhere: every port resolves to PERMISSIVE. */
  public static PeerAuthenticationIndex empty() {
    return EMPTY;
  }

  /** Indexes the policies; {@code rootNamespace} holds the mesh-wide one. */
  public static PeerAuthenticationIndex build(
      String rootNamespace, Collection<PeerAuthenticationPolicy> policies) {
    List<PeerAuthenticationPolicy> ordered = new ArrayList<>(policies);
    ordered.sort(
        Comparator.comparing(PeerAuthenticationPolicy::namespace)
            .thenComparing(PeerAuthenticationPolicy::name));
    Map<String, PeerAuthenticationPolicy> namespaceWide = new TreeMap<>();
    Map<String, List<PeerAuthenticationPolicy>> workloadScoped = new TreeMap<>();
    for (PeerAuthenticationPolicy p : ordered) {
      if (p.workloadScoped()) {
        workloadScoped.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
      } else {
        namespaceWide.putIfAbsent(p.namespace(), p);
      }
    }
    workloadScoped.replaceAll((k, v) -> List.copyOf(v));
    return new PeerAuthenticationIndex(rootNamespace, namespaceWide, workloadScoped);
  }

  /**
   * The effective mode of {@code port} (a target/container port) of a workload with {@code labels}
   * in {@code namespace}. Never {@link MtlsMode#UNSET}.
   */
  public MtlsMode mode(String namespace, Map<String, String> labels, int port) {
    Optional<PeerAuthenticationPolicy> workload = workloadPolicy(namespace, labels);
    if (workload.isPresent()) {
      MtlsMode portMode = workload.get().portModes().getOrDefault(port, MtlsMode.UNSET);
      if (portMode != MtlsMode.UNSET) {
        return portMode;
      }
    }
    return workloadMode(namespace, labels, workload);
  }

  /**
   * The effective mode of a workload ignoring port-level settings: what a port without its own
   * setting gets. Never {@link MtlsMode#UNSET}.
   */
  public MtlsMode mode(String namespace, Map<String, String> labels) {
    return workloadMode(namespace, labels, workloadPolicy(namespace, labels));
  }

  /** The ports with their own mode in the workload's policy, in port order; often empty. */
  public Map<Integer, MtlsMode> portModes(String namespace, Map<String, String> labels) {
    return workloadPolicy(namespace, labels)
        .map(PeerAuthenticationPolicy::portModes)
        .orElse(Map.of());
  }

  private MtlsMode workloadMode(
      String namespace, Map<String, String> labels, Optional<PeerAuthenticationPolicy> workload) {
    for (Optional<PeerAuthenticationPolicy> level :
        List.of(
            workload,
            Optional.ofNullable(namespaceWide.get(namespace)),
            Optional.ofNullable(namespaceWide.get(rootNamespace)))) {
      if (level.isPresent() && level.get().mode() != MtlsMode.UNSET) {
        return level.get().mode();
      }
    }
    return MtlsMode.PERMISSIVE;
  }

  private Optional<PeerAuthenticationPolicy> workloadPolicy(
      String namespace, Map<String, String> labels) {
    for (PeerAuthenticationPolicy p : workloadScoped.getOrDefault(namespace, List.of())) {
      if (labels.entrySet().containsAll(p.selector().orElseThrow().entrySet())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
