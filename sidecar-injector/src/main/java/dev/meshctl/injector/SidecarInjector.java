package dev.meshctl.injector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Injects the Istio sidecar into a pod: selection ({@link InjectionPolicy}), the template ({@link
 * SidecarTemplate}, {@link SidecarVolumes}), then Istio's post-processing (Prometheus merge, probe
 * rewrite, status annotation, container order). Pure and deterministic: no IO, no clock; the input
 * pod is never modified. Any thread may call it.
 */
public final class SidecarInjector {
  static final String PROMETHEUS_ENV = "ISTIO_PROMETHEUS_ANNOTATIONS";

  private SidecarInjector() {}

  /**
   * Webhook semantics: the namespace selection of Istio's MutatingWebhookConfiguration, then the
   * pod-level policy, then the template.
   *
   * @param namespace the pod's namespace object (its labels select injection); its name fills in
   *     the pod's namespace when the pod has none
   */
  public static InjectionResult inject(Pod pod, Namespace namespace, InjectionConfig config) {
    Pod copy = copy(pod);
    String nsName =
        namespace != null && namespace.getMetadata() != null
            ? nullToEmpty(namespace.getMetadata().getName())
            : "";
    if (nullToEmpty(copy.getMetadata().getNamespace()).isEmpty() && !nsName.isEmpty()) {
      copy.getMetadata().setNamespace(nsName);
    }
    String podNamespace = nullToEmpty(copy.getMetadata().getNamespace());
    Optional<String> skip = InjectionPolicy.podSkipReason(copy, podNamespace, config);
    if (skip.isEmpty()) {
      skip = InjectionPolicy.namespaceSkipReason(copy, namespace, config);
    }
    if (skip.isPresent()) {
      return new InjectionResult.NotInjected(InjectionPolicy.podRef(copy) + ": " + skip.get());
    }
    return new InjectionResult.Injected(render(copy, DeploymentMeta.fromPod(copy), config));
  }

  /**
   * Webhook semantics when the API server has already applied the namespace and object selectors
   * (the namespace object is not at hand): only the pod-level policy, then the template.
   */
  public static InjectionResult injectSelected(Pod pod, InjectionConfig config) {
    Pod copy = copy(pod);
    String podNamespace = nullToEmpty(copy.getMetadata().getNamespace());
    Optional<String> skip = InjectionPolicy.podSkipReason(copy, podNamespace, config);
    if (skip.isPresent()) {
      return new InjectionResult.NotInjected(InjectionPolicy.podRef(copy) + ": " + skip.get());
    }
    return new InjectionResult.Injected(render(copy, DeploymentMeta.fromPod(copy), config));
  }

  /**
   * {@code kube-inject} semantics for a workload's pod template: no namespace selection (the user
   * asked for injection), only the pod-level policy with injection enabled by default.
   */
  static InjectionResult injectTemplate(Pod pod, DeploymentMeta workload, InjectionConfig config) {
    Pod copy = copy(pod);
    InjectionConfig enabled = config.toBuilder().injectByDefault(true).build();
    String ns = nullToEmpty(copy.getMetadata().getNamespace());
    Optional<String> skip =
        InjectionPolicy.podSkipReason(copy, ns.isEmpty() ? workload.namespace() : ns, enabled);
    if (skip.isPresent()) {
      return new InjectionResult.NotInjected(skip.get());
    }
    return new InjectionResult.Injected(render(copy, workload, config));
  }

  private static Pod render(Pod pod, DeploymentMeta workload, InjectionConfig config) {
    ObjectMeta meta = pod.getMetadata();
    PodSpec spec = pod.getSpec();
    Map<String, String> annotations = new LinkedHashMap<>(InjectionPolicy.annotations(meta));
    Map<String, String> labels = new LinkedHashMap<>(InjectionPolicy.labels(meta));
    String nativeSetting =
        SidecarTemplate.nonEmpty(
            annotations.get(Annotations.NATIVE_SIDECAR), Boolean.toString(config.nativeSidecars()));
    boolean nativeSidecar = !nativeSetting.equals("false");
    SidecarTemplate.Context ctx =
        new SidecarTemplate.Context(
            withoutNulls(annotations),
            withoutNulls(labels),
            List.copyOf(spec.getContainers()),
            workload,
            config,
            nativeSidecar);

    List<Container> templateInit = new ArrayList<>(SidecarTemplate.initContainers(ctx));
    List<Container> templateContainers = new ArrayList<>();
    Container proxyTemplate = SidecarTemplate.proxyContainer(ctx);
    // The user's own istio-proxy (in either list) overrides the template's, wherever it goes.
    Container userProxy = removeProxy(spec.getContainers());
    Container userInitProxy = removeProxy(spec.getInitContainers());
    Container override = userProxy != null ? userProxy : userInitProxy;
    Container proxyOut =
        override == null ? proxyTemplate : overlay(proxyTemplate, override, Container.class);
    (nativeSidecar ? templateInit : templateContainers).add(proxyOut);
    List<Volume> templateVolumes = SidecarVolumes.volumes();

    spec.setInitContainers(
        mergeByName(templateInit, spec.getInitContainers(), Container::getName, Container.class));
    spec.setContainers(
        mergeByName(templateContainers, spec.getContainers(), Container::getName, Container.class));
    spec.setVolumes(mergeByName(templateVolumes, spec.getVolumes(), Volume::getName, Volume.class));

    labels.put(
        Annotations.TLS_MODE, SidecarTemplate.nonEmpty(labels.get(Annotations.TLS_MODE), "istio"));
    labels.put(Annotations.CANONICAL_NAME, canonicalName(labels, workload));
    labels.put(Annotations.CANONICAL_REVISION, canonicalRevision(labels));
    annotations.put(Annotations.REV, config.revisionOrDefault());
    List<String> apps = SidecarTemplate.appContainerNames(ctx);
    if (!apps.isEmpty()) {
      annotations.putIfAbsent(Annotations.DEFAULT_LOGS_CONTAINER, apps.get(0));
      annotations.putIfAbsent(Annotations.DEFAULT_CONTAINER, apps.get(0));
    }
    // Sorted, as Go prints maps: stable output and diffs.
    meta.setLabels(new TreeMap<>(labels));
    meta.setAnnotations(annotations);

    Container proxy = findProxy(spec);
    prometheusMerge(annotations, proxy, config);
    if (ProbeRewriter.enabled(annotations, config.rewriteAppHttpProbe())) {
      int statusPort = statusPort(annotations, config);
      String probers = ProbeRewriter.appProbersJson(pod, statusPort);
      if (!probers.isEmpty()) {
        proxy.getEnv().add(new EnvVar(ProbeRewriter.PROBERS_ENV, probers, null));
      }
      ProbeRewriter.rewrite(pod, statusPort);
    }
    annotations.put(
        Annotations.STATUS,
        statusJson(templateInit, templateContainers, templateVolumes, config.revisionOrDefault()));
    meta.setAnnotations(new TreeMap<>(annotations));
    ContainerOrder.reorder(spec, config.holdApplicationUntilProxyStarts());
    return pod;
  }

  /**
   * Istio's strategic merge of template items into the pod's list: template items first, then the
   * pod's other items. A pod item with a template item's name overrides it field by field (the
   * user's {@code istio-proxy} settings win over the template's).
   */
  static <T> List<T> mergeByName(
      List<T> template, List<T> existing, Function<T, String> name, Class<T> type) {
    List<T> original = existing == null ? List.of() : existing;
    Map<String, T> byName = new LinkedHashMap<>();
    for (T t : original) {
      byName.put(name.apply(t), t);
    }
    List<T> out = new ArrayList<>();
    for (T t : template) {
      T user = byName.remove(name.apply(t));
      out.add(user == null ? t : overlay(t, user, type));
    }
    for (T t : original) {
      if (byName.containsKey(name.apply(t))) {
        out.add(t);
      }
    }
    return out;
  }

  private static <T> T overlay(T base, T override, Class<T> type) {
    ObjectNode merged = Manifests.JSON.valueToTree(base);
    deepMerge(merged, Manifests.JSON.valueToTree(override));
    return Manifests.JSON.convertValue(merged, type);
  }

  private static void deepMerge(ObjectNode target, JsonNode source) {
    for (Map.Entry<String, JsonNode> e : source.properties()) {
      JsonNode existing = target.get(e.getKey());
      if (existing instanceof ObjectNode o && e.getValue().isObject()) {
        deepMerge(o, e.getValue());
      } else {
        target.set(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Prometheus merge: the agent serves the app's and Envoy's metrics together on the status port,
   * so the pod's scrape annotations point there and the originals go to the agent in {@code
   * ISTIO_PROMETHEUS_ANNOTATIONS}. Skipped when scraping is off or merging is disabled.
   */
  private static void prometheusMerge(
      Map<String, String> annotations, Container proxy, InjectionConfig config) {
    if ("false".equalsIgnoreCase(annotations.get(Annotations.PROMETHEUS_SCRAPE))
        || "false".equalsIgnoreCase(annotations.get(Annotations.PROMETHEUS_MERGE))) {
      return;
    }
    String target = Integer.toString(config.statusPort());
    if (target.equals(annotations.get(Annotations.PROMETHEUS_PORT))) {
      return; // already merged (re-injection) or the user points at the agent on purpose
    }
    String scrape = annotations.getOrDefault(Annotations.PROMETHEUS_SCRAPE, "");
    String path = annotations.getOrDefault(Annotations.PROMETHEUS_PATH, "");
    String port = annotations.getOrDefault(Annotations.PROMETHEUS_PORT, "");
    if (!(scrape + path + port).isEmpty()) {
      ObjectNode original = Manifests.JSON.createObjectNode();
      original.put("scrape", scrape).put("path", path).put("port", port);
      proxy.getEnv().add(new EnvVar(PROMETHEUS_ENV, original.toString(), null));
    }
    annotations.put(Annotations.PROMETHEUS_PORT, target);
    annotations.put(Annotations.PROMETHEUS_PATH, "/stats/prometheus");
    annotations.put(Annotations.PROMETHEUS_SCRAPE, "true");
  }

  /** {@code sidecar.istio.io/status}: what the template added, in Go's field order. */
  static String statusJson(
      List<Container> init, List<Container> containers, List<Volume> volumes, String revision) {
    ObjectNode o = Manifests.JSON.createObjectNode();
    putNames(o, "initContainers", init.stream().map(Container::getName).toList());
    putNames(o, "containers", containers.stream().map(Container::getName).toList());
    putNames(o, "volumes", volumes.stream().map(Volume::getName).toList());
    o.putNull("imagePullSecrets");
    o.put("revision", revision);
    return o.toString();
  }

  private static void putNames(ObjectNode o, String field, List<String> names) {
    if (names.isEmpty()) {
      o.putNull(field); // Go marshals a nil slice as null
    } else {
      names.forEach(o.putArray(field)::add);
    }
  }

  static String canonicalName(Map<String, String> labels, DeploymentMeta workload) {
    String name =
        firstNonEmpty(
            labels.get(Annotations.CANONICAL_NAME),
            labels.get("app.kubernetes.io/name"),
            labels.get("app"),
            workload.name());
    if (name.length() > 63) {
      name = name.substring(0, 63);
    }
    int start = 0;
    int end = name.length();
    while (start < end && "-_.".indexOf(name.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && "-_.".indexOf(name.charAt(end - 1)) >= 0) {
      end--;
    }
    return name.substring(start, end);
  }

  static String canonicalRevision(Map<String, String> labels) {
    return firstNonEmpty(
        labels.get(Annotations.CANONICAL_REVISION),
        labels.get("app.kubernetes.io/version"),
        labels.get("version"),
        "latest");
  }

  private static int statusPort(Map<String, String> annotations, InjectionConfig config) {
    String v = annotations.get(Annotations.STATUS_PORT);
    if (v != null) {
      try {
        return Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        return config.statusPort(); // a bad annotation must not break pod creation
      }
    }
    return config.statusPort();
  }

  private static Container removeProxy(List<Container> list) {
    for (int i = 0; i < list.size(); i++) {
      if (SidecarTemplate.PROXY.equals(list.get(i).getName())) {
        return list.remove(i);
      }
    }
    return null;
  }

  private static Container findProxy(PodSpec spec) {
    for (Container c : spec.getContainers()) {
      if (SidecarTemplate.PROXY.equals(c.getName())) {
        return c;
      }
    }
    for (Container c : spec.getInitContainers()) {
      if (SidecarTemplate.PROXY.equals(c.getName())) {
        return c;
      }
    }
    throw new IllegalStateException("the template always adds " + SidecarTemplate.PROXY);
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }

  /** A deep copy through JSON, with null lists and metadata replaced by empty ones. */
  static Pod copy(Pod pod) {
    Pod copy = Manifests.JSON.convertValue(pod, Pod.class);
    if (copy.getMetadata() == null) {
      copy.setMetadata(new ObjectMeta());
    }
    if (copy.getSpec() == null) {
      copy.setSpec(new PodSpec());
    }
    PodSpec s = copy.getSpec();
    if (s.getContainers() == null) {
      s.setContainers(new ArrayList<>());
    }
    if (s.getInitContainers() == null) {
      s.setInitContainers(new ArrayList<>());
    }
    for (Container c : s.getContainers()) {
      if (c.getPorts() == null) {
        c.setPorts(new ArrayList<>());
      }
    }
    return copy;
  }

  private static Map<String, String> withoutNulls(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            out.put(k, v);
          }
        });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
