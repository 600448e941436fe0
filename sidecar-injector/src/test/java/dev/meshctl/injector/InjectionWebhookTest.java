package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.JsonPatch;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real HTTPS round trips against the webhook: TLS with a certificate signed by a test CA, the JDK
 * HttpClient trusting only that CA. The returned JSON patch, applied to the pod with zjsonpatch,
 * must give Istio's golden injected pod.
 */
class InjectionWebhookTest {
  static TestTls tls;
  static InjectionWebhook webhook;
  static HttpClient client;
  static final Map<String, Namespace> NAMESPACES =
      Map.of(
          "default",
          new NamespaceBuilder()
              .withNewMetadata()
              .withName("default")
              .addToLabels("istio-injection", "enabled")
              .endMetadata()
              .build(),
          "plain",
          new NamespaceBuilder().withNewMetadata().withName("plain").endMetadata().build());

  @BeforeAll
  static void start() throws Exception {
    tls = new TestTls();
    webhook =
        InjectionWebhook.start(
            new InetSocketAddress("127.0.0.1", 0),
            tls.server,
            () -> Trees.ISTIO_TEST_VALUES,
            name -> Optional.ofNullable(NAMESPACES.get(name)));
    client =
        HttpClient.newBuilder()
            .sslContext(tls.client)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stop() {
    webhook.close();
  }

  /** hello.yaml's pod as the API server sends it: created by the Deployment's ReplicaSet. */
  static ObjectNode helloPod(String namespace) {
    JsonNode deployment =
        Trees.docs(Trees.read(Trees.conformanceInject().resolve("hello.yaml"))).get(0);
    ObjectNode pod = Manifests.JSON.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.set("metadata", deployment.at("/spec/template/metadata").deepCopy());
    pod.set("spec", deployment.at("/spec/template/spec").deepCopy());
    addReplicaSetOwner(pod, namespace);
    return pod;
  }

  static void addReplicaSetOwner(JsonNode pod, String namespace) {
    ObjectNode meta = (ObjectNode) pod.get("metadata");
    meta.put("generateName", "hello-5d8f7b9c4-").put("namespace", namespace);
    ((ObjectNode) meta.get("labels")).put("pod-template-hash", "5d8f7b9c4");
    meta.putArray("ownerReferences")
        .addObject()
        .put("apiVersion", "apps/v1")
        .put("kind", "ReplicaSet")
        .put("name", "hello-5d8f7b9c4")
        .put("uid", "0b5c2f1e-1111-2222-3333-444455556666")
        .put("controller", true)
        .put("blockOwnerDeletion", true);
  }

  static ObjectNode review(JsonNode pod, String namespace) {
    ObjectNode review = Manifests.JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("namespace", namespace).put("operation", "CREATE");
    request.set("object", pod);
    return review;
  }

  static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("https://localhost:" + webhook.port() + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void patchAppliedToThePodGivesIstiosGoldenPod() throws Exception {
    ObjectNode pod = helloPod("default");

    HttpResponse<String> response =
        post("/inject", "application/json", review(pod, "default").toString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = Manifests.JSON.readTree(response.body());
    assertThat(body.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(body.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode answer = body.path("response");
    assertThat(answer.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(answer.path("allowed").asBoolean()).isTrue();
    assertThat(answer.path("patchType").asText()).isEqualTo("JSONPatch");
    assertThat(answer.has("warnings")).isFalse();
    JsonNode patch =
        Manifests.JSON.readTree(Base64.getDecoder().decode(answer.path("patch").asText()));

    JsonNode patched = JsonPatch.apply(patch, pod);

    // Injection only adds to this pod: nothing of the user's is removed or moved.
    assertThat(patch.findValuesAsText("op")).isNotEmpty().allMatch(op -> op.equals("add"));
    JsonNode golden =
        Trees.docs(Trees.read(Trees.conformanceInject().resolve("hello.yaml.injected"))).get(0);
    ObjectNode expected = Manifests.JSON.createObjectNode();
    expected.put("apiVersion", "v1").put("kind", "Pod");
    expected.set("metadata", golden.at("/spec/template/metadata").deepCopy());
    expected.set("spec", golden.at("/spec/template/spec").deepCopy());
    addReplicaSetOwner(expected, "default");
    assertThat(Trees.canonical(Trees.withoutGoZeroValues(patched)))
        .isEqualTo(Trees.canonical(Trees.withoutGoZeroValues(expected)));
  }

  @Test
  void clusterInThePathSetsTheClusterId() throws Exception {
    ObjectNode pod = helloPod("default");

    HttpResponse<String> response =
        post("/inject/cluster/east/net/n1", "application/json", review(pod, "default").toString());

    JsonNode answer = Manifests.JSON.readTree(response.body()).path("response");
    JsonNode patched =
        JsonPatch.apply(
            Manifests.JSON.readTree(Base64.getDecoder().decode(answer.path("patch").asText())),
            pod);
    JsonNode proxy = patched.at("/spec/initContainers/1");
    assertThat(proxy.path("name").asText()).isEqualTo("istio-proxy");
    assertThat(
            proxy.path("env").findParents("name").stream()
                .filter(e -> e.path("name").asText().equals("ISTIO_META_CLUSTER_ID"))
                .map(e -> e.path("value").asText()))
        .containsExactly("east");
  }

  @Test
  void podInAnUnselectedNamespaceIsAllowedWithoutPatch() throws Exception {
    HttpResponse<String> response =
        post("/inject", "application/json", review(helloPod("plain"), "plain").toString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = Manifests.JSON.readTree(response.body()).path("response");
    assertThat(answer.path("allowed").asBoolean()).isTrue();
    assertThat(answer.has("patch")).isFalse();
    assertThat(answer.has("patchType")).isFalse();
  }

  @Test
  void malformedPodIsAllowedWithAWarning() throws Exception {
    ObjectNode pod = helloPod("default");
    ((ObjectNode) pod.get("spec")).put("containers", "not a list");

    HttpResponse<String> response =
        post("/inject", "application/json", review(pod, "default").toString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = Manifests.JSON.readTree(response.body()).path("response");
    assertThat(answer.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(answer.path("allowed").asBoolean()).isTrue();
    assertThat(answer.has("patch")).isFalse();
    assertThat(answer.path("warnings").get(0).asText())
        .startsWith("meshctl sidecar injector: request.object is not a valid Pod (")
        .endsWith("); admitted without a sidecar");
  }

  @Test
  void bodyThatIsNotAnAdmissionReviewIs400WithTheReason() throws Exception {
    HttpResponse<String> notJson = post("/inject", "application/json", "{oops");
    HttpResponse<String> configMap =
        post("/inject", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}");
    HttpResponse<String> noUid =
        post(
            "/inject",
            "application/json",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}");

    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("body is not JSON: ");
    assertThat(configMap.statusCode()).isEqualTo(400);
    assertThat(configMap.body())
        .isEqualTo(
            "body is not an AdmissionReview: apiVersion \"v1\", kind \"ConfigMap\" (want"
                + " admission.k8s.io/v1 AdmissionReview)\n");
    assertThat(noUid.statusCode()).isEqualTo(400);
    assertThat(noUid.body()).isEqualTo("AdmissionReview has no request.uid to answer\n");
  }

  @Test
  void wrongContentTypeMethodAndPathAreRefused() throws Exception {
    HttpResponse<String> text = post("/inject", "text/plain", "{}");
    HttpResponse<String> otherPath = post("/injection", "application/json", "{}");
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + webhook.port() + "/inject"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(text.body()).isEqualTo("invalid Content-Type text/plain: want application/json\n");
    assertThat(otherPath.statusCode()).isEqualTo(404);
    assertThat(otherPath.body()).isEqualTo("no such path: /injection\n");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.body()).isEqualTo("method GET not allowed: use POST\n");
  }
}
