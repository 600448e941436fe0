package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.security.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * AuthorizationPolicies, and which apply to a workload, as Istio selects them: those of the mesh
 * root namespace (mesh-wide; a selector there selects workloads in every namespace) and those of
 * the workload's namespace, each when its {@code selector} is absent or contained in the workload's
 * labels. Policies with a {@code targetRef}/{@code targetRefs} attach to gateways or waypoints by
 * reference, which sidecars do not use: they apply to no workload here. Immutable once built; any
 * thread.
 */
public final class AuthorizationPolicyIndex {
  private static final Comparator<IstioConfig> ORDER =
      Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name);

  private final String rootNamespace;
  private final List<IstioConfig> policies;

  private AuthorizationPolicyIndex(String rootNamespace, List<IstioConfig> policies) {
    this.rootNamespace = rootNamespace;
    this.policies = List.copyOf(policies);
  }

  /** An index without policies. */
  public static AuthorizationPolicyIndex empty() {
    return new AuthorizationPolicyIndex("", List.of());
  }

  /** Indexes AuthorizationPolicy configs, ordered by (namespace, name). */
  public static AuthorizationPolicyIndex build(
      String rootNamespace, Collection<IstioConfig> configs) {
    List<IstioConfig> ordered = new ArrayList<>(configs);
    ordered.sort(ORDER);
    return new AuthorizationPolicyIndex(rootNamespace, ordered);
  }

  /** The policies that apply to a workload in {@code namespace} with {@code labels}, in order. */
  public List<IstioConfig> forWorkload(String namespace, Map<String, String> labels) {
    List<IstioConfig> out = new ArrayList<>();
    for (IstioConfig c : policies) {
      if (!c.namespace().equals(namespace) && !c.namespace().equals(rootNamespace)) {
        continue;
      }
      AuthorizationPolicy p = c.spec(AuthorizationPolicy.class);
      if (p.targetRef() != null || (p.targetRefs() != null && !p.targetRefs().isEmpty())) {
        continue;
      }
      Map<String, String> selector =
          p.selector() == null || p.selector().matchLabels() == null
              ? Map.of()
              : p.selector().matchLabels();
      if (labels.entrySet().containsAll(selector.entrySet())) {
        out.add(c);
      }
    }
    return out;
  }

  /** True when no policy is indexed. */
  public boolean isEmpty() {
    return policies.isEmpty();
  }
}
