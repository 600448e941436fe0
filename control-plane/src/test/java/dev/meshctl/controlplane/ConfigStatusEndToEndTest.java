package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.xds.translate.TranslationContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 end to end: Istio config written to a (fabric8 CRUD mock) API server is decoded by the
 * control plane's informers, and the leader writes each object's validation outcome into its {@code
 * status} through the status subresource: an invalid object gets its errors, a fixed one is
 * cleared, a valid one with warnings gets them, a valid one without is never written.
 */
@EnableKubernetesMockClient(crud = true)
class ConfigStatusEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final PushLoop.Settings FAST =
      new PushLoop.Settings(Duration.ofMillis(10), Duration.ofMillis(500));

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private ControlPlane cp;

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private void startControlPlane() throws Exception {
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                FAST,
                Optional.of(
                    KubernetesSource.Settings.DEFAULT.withControlPlaneNamespace("istio-system"))),
            (port, events) -> new NullFrontend(),
            Clock.systemUTC(),
            settings -> server.createClient());
    await().atMost(WAIT).until(cp::leader);
  }

  private static final class NullFrontend implements XdsFrontend {
    @Override
    public void push(TranslationContext ctx) {}

    @Override
    public void push(TranslationContext ctx, PushRequest request) {}

    @Override
    public int port() {
      return 12345;
    }

    @Override
    public void close() {}
  }

  private static ResourceDefinitionContext context(String group, String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  private static final ResourceDefinitionContext VS =
      context("networking.istio.io", "VirtualService", "virtualservices");
  private static final ResourceDefinitionContext DR =
      context("networking.istio.io", "DestinationRule", "destinationrules");
  private static final ResourceDefinitionContext PA =
      context("security.istio.io", "PeerAuthentication", "peerauthentications");

  private void apply(ResourceDefinitionContext ctx, String yaml) {
    GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    var op = client.genericKubernetesResources(ctx).inNamespace("default");
    if (op.withName(r.getMetadata().getName()).get() == null) {
      op.resource(r).create();
    } else {
      // Only the spec changes, as through a real API server (which ignores status on a PUT of the
      // object itself; the mock would take it from the body, so the read status is sent back).
      op.withName(r.getMetadata().getName())
          .edit(
              current -> {
                current
                    .getAdditionalProperties()
                    .put("spec", r.getAdditionalProperties().get("spec"));
                return current;
              });
    }
  }

  private static String reviews(int weight) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
              weight: %d
        """
        .formatted(weight);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status(ResourceDefinitionContext ctx, String name) {
    GenericKubernetesResource r =
        client.genericKubernetesResources(ctx).inNamespace("default").withName(name).get();
    Object s = r.getAdditionalProperties().get("status");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The status writes (PUT .../{plural}/{name}/status) the server received so far. */
  private long statusWrites(String plural, String name) throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests.stream()
        .filter(
            q ->
                q.getMethod().equals("PUT")
                    && q.getPath().endsWith("/" + plural + "/" + name + "/status"))
        .count();
  }

  @Test
  void invalidObjectsGetTheirErrorsInStatusFixedOnesAreClearedValidOnesAreNotWritten()
      throws Exception {
    // The API server sets metadata.generation (1 on create, +1 per spec change).
    // One object present before the start (initial list), the rest created while running.
    apply(VS, reviews(-3));
    startControlPlane();
    apply(
        DR,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings, namespace: default}
        spec: {host: ratings}
        """);
    apply(
        DR,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: details, namespace: default}
        spec:
          host: details
          trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}
        """);
    apply(
        PA,
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: strict, namespace: default}
        spec:
          portLevelMtls:
            "8080": {mode: STRICT}
        """);

    await().atMost(WAIT).until(() -> status(VS, "reviews").containsKey("conditions"));
    Map<String, Object> invalid = status(VS, "reviews");
    assertThat(invalid.get("observedGeneration")).isEqualTo(1);
    assertThat((List<?>) invalid.get("conditions")).hasSize(1);
    Map<?, ?> condition = (Map<?, ?>) ((List<?>) invalid.get("conditions")).get(0);
    assertThat(condition.get("type")).isEqualTo("Reconciled");
    assertThat(condition.get("status")).isEqualTo("False");
    assertThat(condition.get("reason")).isEqualTo("ValidationFailed");
    assertThat(condition.get("message"))
        .isEqualTo("spec.http[0].route[0].weight: must be >= 0, got -3");
    assertThat(condition.get("observedGeneration")).isEqualTo(1);
    assertThat(invalid.get("validationMessages"))
        .isEqualTo(
            List.of(
                Map.of(
                    "documentationUrl",
                    "https://istio.io/latest/docs/reference/config/analysis/ist0106/",
                    "level",
                    "ERROR",
                    "type",
                    Map.of("code", "IST0106", "name", "SchemaValidationError"))));

    // A security.istio.io kind is written through its own group.
    await().atMost(WAIT).until(() -> status(PA, "strict").containsKey("conditions"));
    Map<?, ?> paCondition = (Map<?, ?>) ((List<?>) status(PA, "strict").get("conditions")).get(0);
    assertThat(paCondition.get("message"))
        .isEqualTo(
            "spec.portLevelMtls: port-level mTLS needs a workload selector (mesh- and"
                + " namespace-wide policies cannot set it)");
    assertThat(status(PA, "strict").get("observedGeneration")).isEqualTo(1);

    // Valid with a warning: the warning is shown, no Reconciled condition (the object is used).
    await().atMost(WAIT).until(() -> status(DR, "details").containsKey("validationMessages"));
    Map<String, Object> warned = status(DR, "details");
    assertThat(warned).doesNotContainKey("conditions");
    assertThat(warned.get("observedGeneration")).isEqualTo(1);
    assertThat((List<?>) warned.get("validationMessages"))
        .singleElement()
        .extracting(m -> ((Map<?, ?>) m).get("level"))
        .isEqualTo("WARNING");

    // Fixed: our entries go, and with nothing else there, the status is gone.
    apply(VS, reviews(100));
    await().atMost(WAIT).until(() -> status(VS, "reviews").isEmpty());

    // One write to report, one to clear: our own status writes' watch events wrote nothing.
    // Checked after the fix went through, so every earlier report has been flushed.
    // Stable for longer than the writer's batching delay (200 ms).
    await()
        .during(Duration.ofMillis(600))
        .atMost(WAIT)
        .until(() -> statusWrites("virtualservices", "reviews") == 2);
    assertThat(statusWrites("peerauthentications", "strict")).isEqualTo(1);
    assertThat(statusWrites("destinationrules", "details")).isEqualTo(1);
    assertThat(statusWrites("destinationrules", "ratings")).isZero();
    assertThat(status(DR, "ratings")).isEmpty();
  }
}
