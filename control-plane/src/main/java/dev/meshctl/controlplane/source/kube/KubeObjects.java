package dev.meshctl.controlplane.source.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * Turns an informer's fabric8 object into what the store should hold for its key, through the same
 * {@link KubeDecoder} the file source uses (the object is serialised to a JSON tree first), so
 * files and the API server cannot disagree on what an object means.
 *
 * <p>Which Pods matter: only Pods that have an IP and are not terminal (phase {@code Succeeded} or
 * {@code Failed}). A Pod without an IP cannot be an endpoint or the address of a proxy, and a
 * terminal Pod's IP may already be reused by another Pod; Istio's pod cache drops both. Such a Pod
 * is {@link Result.Absent}: removed from the store if an earlier version was there.
 *
 * <p>Stateless; any thread.
 */
final class KubeObjects {
  private KubeObjects() {}

  /** What one object means for the store. */
  sealed interface Result permits Result.Present, Result.Absent, Result.Invalid {
    /** Store (or replace) this object. */
    record Present(ConfigObject object) implements Result {}

    /** The object exists but is not used by the mesh (a terminal or IP-less Pod). */
    record Absent(String reason) implements Result {}

    /** The object is malformed; each message is {@code Kind ns/name: field: message}. */
    record Invalid(List<String> messages) implements Result {
      public Invalid {
        messages = List.copyOf(messages);
      }
    }
  }

  /** The store key of an informer object of {@code kind}, as the decoder would name it. */
  static ConfigKey key(ConfigKind kind, HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return ConfigKey.of(
        kind,
        ns == null || ns.isEmpty() ? KubeDecoder.DEFAULT_NAMESPACE : ns,
        object.getMetadata().getName());
  }

  /** Decodes {@code object}, an informer object of {@code kind}. */
  static Result convert(
      ConfigKind kind, String apiVersion, HasMetadata object, KubernetesSerialization json) {
    JsonNode tree = json.convertValue(object, JsonNode.class);
    if (tree instanceof ObjectNode o) {
      // List items from the API carry no kind/apiVersion on the wire; the informer knows them.
      if (!o.hasNonNull("kind")) {
        o.put("kind", kind.kubeKind());
      }
      if (!o.hasNonNull("apiVersion")) {
        o.put("apiVersion", apiVersion);
      }
    }
    if (kind == ConfigKind.POD) {
      String phase = tree.path("status").path("phase").asText("");
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        return new Result.Absent("pod is terminal (phase " + phase + ")");
      }
    }
    List<Decoded> decoded = KubeDecoder.decode(tree);
    if (decoded.size() != 1) {
      return new Result.Invalid(
          List.of(key(kind, object) + ": decoded into " + decoded.size() + " objects"));
    }
    Decoded d = decoded.get(0);
    if (d instanceof Decoded.Invalid invalid) {
      return new Result.Invalid(invalid.messages());
    }
    if (d instanceof Decoded.Skipped skipped) {
      return new Result.Absent(skipped.reason());
    }
    ConfigObject o = ((Decoded.Ok) d).object();
    if (o instanceof Pod pod && pod.podIps().isEmpty()) {
      return new Result.Absent("pod has no IP yet");
    }
    return new Result.Present(o);
  }
}
