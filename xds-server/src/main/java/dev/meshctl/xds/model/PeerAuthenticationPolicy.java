package dev.meshctl.xds.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One PeerAuthentication, reduced to what mode resolution needs. Immutable; any thread.
 *
 * @param namespace the policy's namespace; the mesh root namespace makes a selector-less policy
 *     mesh-wide
 * @param name the policy's name (ties between policies of one scope go to the first by name)
 * @param selector the workload labels it applies to; empty for a namespace- (or mesh-) wide policy
 * @param mode the policy's mode, possibly {@link MtlsMode#UNSET}
 * @param portModes per target (container) port modes; Istio only honours them on policies with a
 *     selector
 */
public record PeerAuthenticationPolicy(
    String namespace,
    String name,
    Optional<Map<String, String>> selector,
    MtlsMode mode,
    Map<Integer, MtlsMode> portModes) {

  public PeerAuthenticationPolicy {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    selector = selector.map(s -> Map.copyOf(s));
    Objects.requireNonNull(mode, "mode");
    portModes = java.util.Collections.unmodifiableMap(new TreeMap<>(portModes));
  }

  /** A namespace-wide (or, in the root namespace, mesh-wide) policy. */
  public static PeerAuthenticationPolicy namespaceWide(
      String namespace, String name, MtlsMode mode) {
    return new PeerAuthenticationPolicy(namespace, name, Optional.empty(), mode, Map.of());
  }

  /** True when the policy has a non-empty selector. */
  public boolean workloadScoped() {
    return selector.isPresent() && !selector.get().isEmpty();
  }
}
