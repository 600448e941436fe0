package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workload a pod belongs to, as Istio derives it for {@code ISTIO_META_WORKLOAD_NAME}, {@code
 * ISTIO_META_OWNER} and the canonical name: from the workload object itself ({@code kube-inject})
 * or from the pod's controller reference (webhook). Immutable value.
 *
 * @param name workload name; may be empty when nothing names the pod
 * @param namespace workload namespace; empty when unknown
 * @param apiVersion workload API version, e.g. {@code apps/v1}; empty when unknown
 * @param kind workload kind, e.g. {@code Deployment}
 */
public record DeploymentMeta(String name, String namespace, String apiVersion, String kind) {

  /** A Job named {@code <cronjob>-<8 to 10 digits>} was created by a CronJob. */
  private static final Pattern CRONJOB_JOB_NAME = Pattern.compile("^(.+)-\\d{8,10}$");

  public DeploymentMeta {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * Derives the workload from a pod as the webhook sees it: a pod with a generated name and a
   * controller reference belongs to that controller; a ReplicaSet whose name ends with the pod's
   * {@code pod-template-hash} stands for its Deployment, a Job with a timestamp suffix for its
   * CronJob. Otherwise the pod is its own workload ({@code v1 Pod}).
   */
  public static DeploymentMeta fromPod(Pod pod) {
    String podName = nullToEmpty(pod.getMetadata().getName());
    String namespace = nullToEmpty(pod.getMetadata().getNamespace());
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    String generateName = nullToEmpty(pod.getMetadata().getGenerateName());
    OwnerReference controller = null;
    if (!generateName.isEmpty() && pod.getMetadata().getOwnerReferences() != null) {
      for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
        if (Boolean.TRUE.equals(ref.getController())) {
          controller = ref;
          break;
        }
      }
    }
    if (controller == null) {
      return new DeploymentMeta(podName, namespace, "v1", "Pod");
    }
    String name = nullToEmpty(controller.getName());
    String kind = nullToEmpty(controller.getKind());
    String apiVersion = nullToEmpty(controller.getApiVersion());
    String hash = labels.getOrDefault("pod-template-hash", "");
    if (kind.equals("ReplicaSet") && !hash.isEmpty() && name.endsWith(hash)) {
      name = stripSuffix(name, "-" + hash);
      kind = "Deployment";
    } else if (kind.equals("Job")) {
      Matcher m = CRONJOB_JOB_NAME.matcher(name);
      if (m.matches()) {
        name = m.group(1);
        kind = "CronJob";
        apiVersion = "batch/v1";
      }
    }
    if (name.isEmpty()) {
      name = podName;
    }
    return new DeploymentMeta(name, namespace, apiVersion, kind);
  }

  /**
   * Istio's {@code ISTIO_META_OWNER} value, or empty when the API version or name is unknown. The
   * resource is the lower-cased kind plus {@code s}, as Istio builds it.
   */
  public String ownerUri() {
    if (apiVersion.isEmpty() || name.isEmpty()) {
      return "";
    }
    String ns = namespace.isEmpty() ? "default" : namespace;
    return "kubernetes://apis/"
        + apiVersion
        + "/namespaces/"
        + ns
        + "/"
        + kind.toLowerCase(java.util.Locale.ROOT)
        + "s/"
        + name;
  }

  private static String stripSuffix(String s, String suffix) {
    return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
