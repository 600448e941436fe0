package dev.meshctl.injector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The webhook's logic without the HTTP server: an {@code admission.k8s.io/v1} AdmissionReview in,
 * the AdmissionReview response out, carrying a JSON patch from the pod as received to the injected
 * pod. Reviews for a malformed pod are admitted unchanged with a warning (a broken injector must
 * not block pod creation for reasons the user cannot see); a body that is not an AdmissionReview at
 * all is a client error. Pure apart from reading the configuration supplier; any thread.
 */
final class AdmissionReviews {
  /** The warning prefix, so that {@code kubectl} users can tell who complains. */
  static final String WARNING_PREFIX = "meshctl sidecar injector: ";

  private AdmissionReviews() {}

  /** An HTTP answer: status code, and either the JSON response body or a plain-text error. */
  record Reply(int status, String contentType, byte[] body) {
    static Reply json(JsonNode body) {
      return new Reply(200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Reply error(int status, String message) {
      return new Reply(
          status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Answers one review.
   *
   * @param path the request path, {@code /inject} or {@code /inject/cluster/<id>/...}
   * @param namespaces the namespace object by name, or empty when unknown (then the API server's
   *     namespace selector is trusted and only the pod-level policy applies)
   */
  static Reply review(
      byte[] body,
      String path,
      InjectionConfig config,
      Function<String, Optional<Namespace>> namespaces) {
    JsonNode review;
    try {
      review = Manifests.JSON.readTree(body);
    } catch (IOException e) {
      return Reply.error(400, "body is not JSON: " + originalMessage(e));
    }
    if (review == null || !review.isObject()) {
      return Reply.error(400, "body is not an AdmissionReview: expected a JSON object");
    }
    String apiVersion = review.path("apiVersion").asText("");
    if (!review.path("kind").asText("").equals("AdmissionReview")
        || !apiVersion.startsWith("admission.k8s.io/")) {
      return Reply.error(
          400,
          "body is not an AdmissionReview: apiVersion \""
              + apiVersion
              + "\", kind \""
              + review.path("kind").asText("")
              + "\" (want admission.k8s.io/v1 AdmissionReview)");
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      return Reply.error(400, "AdmissionReview has no request.uid to answer");
    }
    ObjectNode out = Manifests.JSON.createObjectNode();
    out.put("apiVersion", apiVersion);
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    List<String> warnings = new ArrayList<>();
    try {
      Optional<String> patch = patch(request, path, config, namespaces, warnings);
      if (patch.isPresent()) {
        response.put("patchType", "JSONPatch");
        response.put("patch", patch.get());
      }
    } catch (RuntimeException e) {
      // A bug or an input we did not foresee: admit the pod as is and say why.
      warnings.add(
          WARNING_PREFIX + "injection failed, pod admitted without a sidecar: " + e.getMessage());
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    return Reply.json(out);
  }

  private static Optional<String> patch(
      JsonNode request,
      String path,
      InjectionConfig config,
      Function<String, Optional<Namespace>> namespaces,
      List<String> warnings) {
    String kind = request.path("kind").path("kind").asText("");
    JsonNode object = request.path("object");
    if (!kind.isEmpty() && !kind.equals("Pod")) {
      warnings.add(
          WARNING_PREFIX + "request.kind.kind is \"" + kind + "\", not Pod; admitted unchanged");
      return Optional.empty();
    }
    if (!object.isObject()) {
      warnings.add(
          WARNING_PREFIX + "request.object is missing or not an object; admitted unchanged");
      return Optional.empty();
    }
    Pod pod;
    try {
      ObjectNode cleaned = object.deepCopy();
      if (cleaned.path("metadata").isObject()) {
        // Large, and irrelevant to injection: keep it out of the diff (Istio does the same).
        ((ObjectNode) cleaned.get("metadata")).remove("managedFields");
      }
      pod = Manifests.JSON.treeToValue(cleaned, Pod.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      warnings.add(
          WARNING_PREFIX
              + "request.object is not a valid Pod ("
              + originalMessage(e)
              + "); admitted without a sidecar");
      return Optional.empty();
    }
    pod = SidecarInjector.copy(pod);
    String requestNamespace = request.path("namespace").asText("");
    if (pod.getMetadata().getNamespace() == null || pod.getMetadata().getNamespace().isEmpty()) {
      pod.getMetadata().setNamespace(requestNamespace);
    }
    InjectionConfig effective = withPathSettings(config, path);
    String ns = pod.getMetadata().getNamespace();
    Optional<Namespace> namespace = namespaces.apply(ns);
    InjectionResult result =
        namespace.isPresent()
            ? SidecarInjector.inject(pod, namespace.get(), effective)
            : SidecarInjector.injectSelected(pod, effective);
    if (!(result instanceof InjectionResult.Injected injected)) {
      return Optional.empty();
    }
    JsonNode before = Manifests.JSON.valueToTree(pod);
    JsonNode after = Manifests.JSON.valueToTree(injected.pod());
    JsonNode ops =
        JsonDiff.asJson(
            before,
            after,
            EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION));
    return Optional.of(
        Base64.getEncoder().encodeToString(ops.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Settings carried in the path, as Istio's remote-cluster webhooks use them: {@code
   * /inject/cluster/<id>} sets the cluster ID. Unknown keys are ignored, as in Istio.
   */
  static InjectionConfig withPathSettings(InjectionConfig config, String path) {
    String rest = path.startsWith("/inject") ? path.substring("/inject".length()) : "";
    String[] parts = rest.split("/");
    InjectionConfig.Builder b = config.toBuilder();
    // parts[0] is the empty string before the first slash; then key/value pairs.
    for (int i = 1; i + 1 < parts.length; i += 2) {
      if (parts[i].equals("cluster") && !parts[i + 1].isEmpty()) {
        b.clusterName(parts[i + 1]);
      }
    }
    return b.build();
  }

  private static String originalMessage(Exception e) {
    return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }
}
