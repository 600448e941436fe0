package dev.meshctl.controlplane.source.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshctl.crds.validation.Finding;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.model.decode.MeshConfigDecoder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an informer's fabric8 object into what the store should hold for it, through the same
 * {@link KubeDecoder} the file source uses (the object is serialised to a JSON tree first), so
 * files and the API server cannot disagree on what an object means. The one exception is the mesh
 * config ConfigMap, whose {@code mesh} key is decoded by {@link MeshConfigDecoder}.
 *
 * <p>Which Pods matter: only Pods that have an IP and are not terminal (phase {@code Succeeded} or
 * {@code Failed}). A Pod without an IP cannot be an endpoint or the address of a proxy, and a
 * terminal Pod's IP may already be reused by another Pod; Istio's pod cache drops both. Such a Pod
 * is {@link Result.Absent}: removed from the store if an earlier version was there. Kinds the
 * decoder does not know (a Secret, until Secrets are modelled) are {@link Result.Absent} too, so
 * they are quietly ignored.
 *
 * <p>Stateless; any thread.
 */
final class KubeObjects {
  /** The data key of the mesh config ConfigMap that holds the MeshConfig YAML. */
  static final String MESH_KEY = "mesh";

  private KubeObjects() {}

  /** What one object means for the store. */
  sealed interface Result permits Result.Present, Result.Absent, Result.Invalid {
    /** Store (or replace) this object; the warnings are logged, the object is used. */
    record Present(ConfigObject object, List<String> warnings) implements Result {
      public Present {
        warnings = List.copyOf(warnings);
      }
    }

    /** The object exists but is not used by the mesh (a terminal or IP-less Pod, a Secret). */
    record Absent(String reason) implements Result {}

    /** The object is malformed; each message is {@code Kind ns/name: field: message}. */
    record Invalid(List<String> messages) implements Result {
      public Invalid {
        messages = List.copyOf(messages);
      }
    }
  }

  /**
   * The informer-side identity of an object, {@code Kind ns/name} ({@code Kind /name} when
   * cluster-scoped): stable across its versions, whatever (if anything) it decodes to.
   */
  static String ref(String kubeKind, HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return kubeKind + " " + (ns == null ? "" : ns) + "/" + object.getMetadata().getName();
  }

  /** Decodes {@code object}, an informer object of {@code kubeKind}. */
  static Result convert(
      String kubeKind, String apiVersion, HasMetadata object, KubernetesSerialization json) {
    JsonNode tree = json.convertValue(object, JsonNode.class);
    if (tree instanceof ObjectNode o) {
      // List items from the API carry no kind/apiVersion on the wire; the informer knows them.
      if (!o.hasNonNull("kind")) {
        o.put("kind", kubeKind);
      }
      if (!o.hasNonNull("apiVersion")) {
        o.put("apiVersion", apiVersion);
      }
    }
    if (kubeKind.equals("ConfigMap")) {
      return meshConfig(ref(kubeKind, object), tree);
    }
    if (kubeKind.equals("Pod")) {
      String phase = tree.path("status").path("phase").asText("");
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        return new Result.Absent("pod is terminal (phase " + phase + ")");
      }
    }
    List<Decoded> decoded = KubeDecoder.decode(tree);
    if (decoded.size() != 1) {
      return new Result.Invalid(
          List.of(ref(kubeKind, object) + ": decoded into " + decoded.size() + " objects"));
    }
    Decoded d = decoded.get(0);
    if (d instanceof Decoded.Invalid invalid) {
      return new Result.Invalid(invalid.messages());
    }
    if (d instanceof Decoded.Skipped skipped) {
      return new Result.Absent(skipped.reason());
    }
    Decoded.Ok ok = (Decoded.Ok) d;
    if (ok.object() instanceof Pod pod && pod.podIps().isEmpty()) {
      return new Result.Absent("pod has no IP yet");
    }
    return new Result.Present(ok.object(), ok.warnings());
  }

  /**
   * The validator's findings in {@code result} for the object {@code ref} ({@code Kind ns/name}):
   * the errors of an invalid object, the warnings of a used one, none for an unused one. The
   * decoder reports each as a line {@code Kind ns/name: field.path: message}; a line without a
   * field path keeps an empty path.
   */
  static List<Finding> findings(String ref, Result result) {
    List<Finding> out = new ArrayList<>();
    if (result instanceof Result.Invalid bad) {
      bad.messages().forEach(m -> out.add(finding(Finding.Severity.ERROR, ref, m)));
    } else if (result instanceof Result.Present ok) {
      ok.warnings().forEach(m -> out.add(finding(Finding.Severity.WARNING, ref, m)));
    }
    return out;
  }

  private static Finding finding(Finding.Severity severity, String ref, String line) {
    String rest = line.startsWith(ref + ": ") ? line.substring(ref.length() + 2) : line;
    int colon = rest.indexOf(": ");
    // A path has no spaces; "decoded into 2 objects" (no path) stays a message as a whole.
    if (colon <= 0 || rest.substring(0, colon).contains(" ")) {
      return new Finding(severity, ref, "", rest);
    }
    return new Finding(severity, ref, rest.substring(0, colon), rest.substring(colon + 2));
  }

  /** The mesh config ConfigMap: its {@code mesh} key (absent: Istio's defaults). */
  private static Result meshConfig(String ref, JsonNode tree) {
    JsonNode mesh = tree.path("data").path(MESH_KEY);
    MeshConfigDecoder.Result r = MeshConfigDecoder.decode(mesh.isTextual() ? mesh.asText() : "");
    if (r.config().isEmpty()) {
      return new Result.Invalid(r.errors().stream().map(e -> ref + ": " + e).toList());
    }
    return new Result.Present(
        r.config().get(), r.warnings().stream().map(w -> ref + ": " + w).toList());
  }
}
