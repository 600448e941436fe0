package dev.meshctl.controlplane.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.validation.Finding;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StatusWriterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectRef REVIEWS =
      ObjectRef.of(IstioKind.VIRTUAL_SERVICE, "default", "reviews");
  private static final ResourceDefinitionContext VS =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();
  private static final Finding BAD_WEIGHT =
      new Finding(
          Finding.Severity.ERROR,
          "VirtualService default/reviews",
          "spec.http[0].route[0].weight",
          "must be >= 0, got -3");

  KubernetesMockServer server;
  KubernetesClient client;

  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private final List<RecordedRequest> requests = new ArrayList<>();

  @BeforeEach
  void create() {
    client
        .genericKubernetesResources(VS)
        .inNamespace("default")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("networking.istio.io/v1")
                .withKind("VirtualService")
                .withNewMetadata()
                .withNamespace("default")
                .withName("reviews")
                .withGeneration(1L)
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of("hosts", List.of("reviews")))
                .build())
        .create();
  }

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private GenericKubernetesResource reviews() {
    return client.genericKubernetesResources(VS).inNamespace("default").withName("reviews").get();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> status() {
    Object s = reviews().getAdditionalProperties().get("status");
    return s == null ? Map.of() : (Map<String, Object>) s;
  }

  /** The status writes (PUT .../status) the server received so far. */
  private long statusWrites() throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests.stream()
        .filter(q -> q.getMethod().equals("PUT") && q.getPath().endsWith("/reviews/status"))
        .count();
  }

  @Test
  void writesTheProblemOfAnInvalidObjectAndClearsItAfterTheFix() throws Exception {
    StatusWriter writer = new StatusWriter(client, scheduler, clock, Duration.ofMillis(20));
    writer.start();
    writer.report(new ConfigStatus(REVIEWS, 1, List.of(BAD_WEIGHT)));

    await().atMost(WAIT).until(() -> status().containsKey("conditions"));
    assertThat(status())
        .isEqualTo(
            Map.of(
                "conditions",
                List.of(
                    Map.of(
                        "type", "Reconciled",
                        "status", "False",
                        "reason", "ValidationFailed",
                        "message", "spec.http[0].route[0].weight: must be >= 0, got -3",
                        "observedGeneration", 1,
                        "lastTransitionTime", "2026-01-02T03:04:05Z")),
                "validationMessages",
                List.of(
                    Map.of(
                        "documentationUrl",
                        "https://istio.io/latest/docs/reference/config/analysis/ist0106/",
                        "level",
                        "ERROR",
                        "type",
                        Map.of("code", "IST0106", "name", "SchemaValidationError"))),
                "observedGeneration",
                1));
    assertThat(statusWrites()).isEqualTo(1);

    // The same outcome again (as after our own write's watch event): nothing to do.
    writer.report(new ConfigStatus(REVIEWS, 1, List.of(BAD_WEIGHT)));
    assertThat(scheduler.getQueue()).isEmpty();
    // A new leader term re-checks everything it knows: read, found equal, not written.
    writer.stop();
    writer.start();
    await().atMost(WAIT).until(() -> writer.checks() == 2);
    assertThat(statusWrites()).isEqualTo(1);

    // Fixed: our entries are removed, and with nothing else left, the status is gone.
    writer.report(new ConfigStatus(REVIEWS, 2, List.of()));
    await().atMost(WAIT).until(() -> !status().containsKey("conditions"));
    assertThat(status()).isEmpty();
    assertThat(statusWrites()).isEqualTo(2);
    assertThat(writer.writes()).isEqualTo(2);
  }

  @Test
  void aReplicaThatIsNotLeaderOnlyCollects() throws Exception {
    StatusWriter writer = new StatusWriter(client, scheduler, clock, Duration.ofMillis(20));
    writer.report(new ConfigStatus(REVIEWS, 1, List.of(BAD_WEIGHT)));
    assertThat(scheduler.getQueue()).as("no flush scheduled while not leading").isEmpty();
    assertThat(writer.checks()).isZero();

    // Becoming leader writes what was collected meanwhile.
    writer.start();
    await().atMost(WAIT).until(() -> status().containsKey("conditions"));
    assertThat(statusWrites()).isEqualTo(1);
  }

  @Test
  void forgottenObjectsAreNotWritten() throws Exception {
    StatusWriter writer = new StatusWriter(client, scheduler, clock, Duration.ofMillis(20));
    writer.report(new ConfigStatus(REVIEWS, 1, List.of(BAD_WEIGHT)));
    writer.forget(REVIEWS);
    writer.start();
    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(status()).isEmpty();
  }
}
