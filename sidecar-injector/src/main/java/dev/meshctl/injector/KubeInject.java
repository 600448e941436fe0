package dev.meshctl.injector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Offline injection of Kubernetes manifests, like {@code istioctl kube-inject}: every Pod and every
 * workload's pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
 * Job, CronJob; also inside {@code kind: List}) gets the sidecar; other documents pass through
 * unchanged. Pure; any thread.
 */
public final class KubeInject {
  /** Kinds whose pod template is at {@code spec.template}. */
  static final Set<String> TEMPLATE_KINDS =
      Set.of(
          "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job");

  private KubeInject() {}

  /**
   * The injected manifests and the documents that were skipped.
   *
   * @param yaml the documents, each followed by {@code ---}
   * @param warnings one line per workload left alone, e.g. {@code ===> Skipping injection because
   *     Deployment "default/x" has sidecar injection disabled}
   */
  public record Result(String yaml, List<String> warnings) {
    public Result {
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Injects every workload in a multi-document YAML stream.
   *
   * @throws IllegalArgumentException if the input is not YAML, or a workload's pod template is
   *     missing or malformed (the message names the document and field)
   */
  public static Result inject(String yaml, InjectionConfig config) {
    List<String> warnings = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    int index = 0;
    try (MappingIterator<JsonNode> docs =
        Manifests.YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
          continue;
        }
        JsonNode injected =
            doc.isObject() ? injectObject((ObjectNode) doc, config, warnings, index) : doc;
        out.append(Manifests.YAML.writeValueAsString(injected)).append("---\n");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "document " + (index + 1) + ": not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the manifests: " + e.getMessage(), e);
    }
    return new Result(out.toString(), warnings);
  }

  private static JsonNode injectObject(
      ObjectNode doc, InjectionConfig config, List<String> warnings, int index) {
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") && doc.path("items").isArray()) {
      ObjectNode copy = doc.deepCopy();
      ArrayNode items = (ArrayNode) copy.get("items");
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).isObject()) {
          items.set(i, injectObject((ObjectNode) items.get(i), config, warnings, index));
        }
      }
      return copy;
    }
    String name = doc.path("metadata").path("name").asText("");
    String namespace = doc.path("metadata").path("namespace").asText("");
    String apiVersion = doc.path("apiVersion").asText("");
    String where = kind + " \"" + (namespace.isEmpty() ? "" : namespace + "/") + name + "\"";
    ObjectNode copy = doc.deepCopy();
    ObjectNode template;
    DeploymentMeta workload;
    if (kind.equals("Pod")) {
      template = copy;
      workload = new DeploymentMeta(name, namespace, "v1", "Pod");
    } else if (TEMPLATE_KINDS.contains(kind)) {
      template = podTemplate(copy, "/spec/template", where, index);
      workload = new DeploymentMeta(name, namespace, apiVersion, kind);
    } else if (kind.equals("CronJob")) {
      template = podTemplate(copy, "/spec/jobTemplate/spec/template", where, index);
      workload = new DeploymentMeta(name, namespace, apiVersion, kind);
    } else {
      return doc; // not a workload: unchanged
    }
    ObjectNode podTree = Manifests.JSON.createObjectNode();
    podTree.set("metadata", template.path("metadata").isObject() ? template.get("metadata") : null);
    podTree.set("spec", template.get("spec"));
    Pod pod;
    try {
      pod = Manifests.JSON.treeToValue(podTree, Pod.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "document " + index + " (" + where + "): pod template is malformed: " + message(e), e);
    }
    InjectionResult result = SidecarInjector.injectTemplate(pod, workload, config);
    if (result instanceof InjectionResult.NotInjected skipped) {
      warnings.add("===> Skipping injection because " + where + ": " + skipped.reason());
      return doc;
    }
    Pod injected = ((InjectionResult.Injected) result).pod();
    JsonNode injectedTree = Manifests.JSON.valueToTree(injected);
    template.set("metadata", injectedTree.get("metadata"));
    template.set("spec", injectedTree.get("spec"));
    return copy;
  }

  private static ObjectNode podTemplate(ObjectNode doc, String pointer, String where, int index) {
    JsonNode t = doc.at(pointer);
    if (!t.isObject() || !t.path("spec").isObject()) {
      throw new IllegalArgumentException(
          "document "
              + index
              + " ("
              + where
              + "): "
              + pointer.substring(1).replace('/', '.')
              + ".spec is required");
    }
    return (ObjectNode) t;
  }

  private static String message(Exception e) {
    return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }
}
