package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a pod gets a sidecar, as Istio does: the MutatingWebhookConfiguration's namespace
 * and object selectors ({@link #namespaceSkipReason}) and then the webhook's own {@code
 * injectRequired} ({@link #podSkipReason}). Pure; any thread.
 */
final class InjectionPolicy {
  /** Namespaces Istio never injects (its {@code IgnoredNamespaces}). */
  static final Set<String> IGNORED_NAMESPACES =
      Set.of("kube-system", "kube-public", "kube-node-lease", "local-path-storage");

  private InjectionPolicy() {}

  /**
   * Why the webhook would not be called for this pod at all, or empty when it would: the namespace
   * must carry {@code istio-injection=enabled} (default revision) or {@code istio.io/rev=<ours>}
   * without {@code istio-injection}; or, in a namespace with neither label, the pod must carry
   * {@code istio.io/rev=<ours>} or (default revision) {@code sidecar.istio.io/inject=true}. A pod
   * labelled {@code sidecar.istio.io/inject=false} is excluded everywhere.
   */
  static Optional<String> namespaceSkipReason(
      Pod pod, Namespace namespace, InjectionConfig config) {
    Map<String, String> podLabels = labels(pod.getMetadata());
    if ("false".equals(podLabels.get(Annotations.INJECT))) {
      return Optional.of("label " + Annotations.INJECT + "=false opts the pod out");
    }
    Map<String, String> nsLabels = namespace == null ? Map.of() : labels(namespace.getMetadata());
    String nsName = namespace == null ? "" : namespace.getMetadata().getName();
    String ours = config.revisionOrDefault();
    String injection = nsLabels.get(Annotations.NAMESPACE_INJECTION);
    String nsRev = nsLabels.get(Annotations.REV);
    if (injection != null) {
      if (injection.equals("enabled") && config.revision().isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          "namespace "
              + nsName
              + " has label "
              + Annotations.NAMESPACE_INJECTION
              + "="
              + injection
              + (injection.equals("enabled")
                  ? ", which selects the default revision, not " + ours
                  : ""));
    }
    if (nsRev != null) {
      return nsRev.equals(ours)
          ? Optional.empty()
          : Optional.of(
              "namespace "
                  + nsName
                  + " has label "
                  + Annotations.REV
                  + "="
                  + nsRev
                  + ", not "
                  + ours);
    }
    String podRev = podLabels.get(Annotations.REV);
    if (podRev != null) {
      return podRev.equals(ours)
          ? Optional.empty()
          : Optional.of("pod label " + Annotations.REV + "=" + podRev + ", not " + ours);
    }
    if ("true".equals(podLabels.get(Annotations.INJECT)) && config.revision().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "namespace "
            + nsName
            + " is not selected (no label "
            + Annotations.NAMESPACE_INJECTION
            + "=enabled or "
            + Annotations.REV
            + "="
            + ours
            + ") and the pod has no label "
            + Annotations.INJECT
            + "=true or "
            + Annotations.REV
            + "="
            + ours);
  }

  /**
   * Istio's {@code injectRequired} plus the idempotence rule: already injected pods, hostNetwork
   * pods, ignored namespaces and the control plane's namespace are skipped; then the pod's {@code
   * sidecar.istio.io/inject} label (over the annotation) decides; without it the never- and then
   * always-inject selectors; without a match, the policy ({@code injectByDefault}).
   *
   * @param namespace the pod's namespace (from the request when the pod has none)
   */
  static Optional<String> podSkipReason(Pod pod, String namespace, InjectionConfig config) {
    Map<String, String> annotations = annotations(pod.getMetadata());
    if (annotations.containsKey(Annotations.STATUS)) {
      return Optional.of("already injected (annotation " + Annotations.STATUS + " is present)");
    }
    if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return Optional.of("spec.hostNetwork is true; iptables would change the node");
    }
    if (IGNORED_NAMESPACES.contains(namespace)) {
      return Optional.of("namespace " + namespace + " is never injected");
    }
    if (namespace.equals(config.istioNamespace())) {
      return Optional.of(
          "namespace " + namespace + " is the control plane's and is never injected");
    }
    Map<String, String> labels = labels(pod.getMetadata());
    String selector = annotations.getOrDefault(Annotations.INJECT, "");
    String source = "annotation";
    if (labels.containsKey(Annotations.INJECT)) {
      selector = labels.get(Annotations.INJECT); // the label is the newer API and wins
      source = "label";
    }
    if (selector.equals("false")) {
      return Optional.of(source + " " + Annotations.INJECT + "=false");
    }
    if (selector.equals("true")) {
      return Optional.empty();
    }
    // Any other value falls back to the default policy, as in Istio.
    for (LabelSelectorMatcher never : config.neverInjectSelector()) {
      if (never.matches(labels)) {
        return Optional.of("labels match neverInjectSelector " + never.matchLabels());
      }
    }
    for (LabelSelectorMatcher always : config.alwaysInjectSelector()) {
      if (always.matches(labels)) {
        return Optional.empty();
      }
    }
    return config.injectByDefault()
        ? Optional.empty()
        : Optional.of("injection policy is disabled and the pod does not opt in");
  }

  static String podRef(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    String name = m.getName();
    if (name == null || name.isEmpty()) {
      name = m.getGenerateName() == null ? "" : m.getGenerateName() + "*";
    }
    String ns = m.getNamespace();
    return "pod " + (ns == null || ns.isEmpty() ? "" : ns + "/") + name;
  }

  static Map<String, String> labels(ObjectMeta meta) {
    return meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
  }

  static Map<String, String> annotations(ObjectMeta meta) {
    return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
  }
}
