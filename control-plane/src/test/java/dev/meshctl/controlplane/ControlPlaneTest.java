package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.translate.TranslationContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {
  private static final PushLoop.Settings FAST =
      new PushLoop.Settings(Duration.ofMillis(10), Duration.ofMillis(500));

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch releaseFirstPush = new CountDownLatch(1);
  private final List<Integer> pushedServiceCounts = new CopyOnWriteArrayList<>();
  private ControlPlane cp;

  /** A stand-in frontend that records pushes; its first push waits for the test. */
  private final class RecordingFrontend implements XdsFrontend {
    @Override
    public void push(TranslationContext ctx) {
      try {
        releaseFirstPush.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pushedServiceCounts.add(ctx.snapshot().services().size());
    }

    @Override
    public int port() {
      return 12345;
    }

    @Override
    public void close() {}
  }

  @AfterEach
  void stop() {
    releaseFirstPush.countDown();
    if (cp != null) {
      cp.close();
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.monitoringPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyGoesFrom503To200WhenTheFirstPushIsDeliveredAndChangesArePushed() throws Exception {
    Files.writeString(
        dir.resolve("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n");
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(Optional.of(dir), 0, 0, FAST),
            (port, events) -> new RecordingFrontend(),
            Clock.systemUTC());

    assertThat(cp.monitoringPort()).isPositive();
    assertThat(cp.xdsPort()).isEqualTo(12345);
    assertThat(cp.startupLine())
        .isEqualTo(
            "meshctl serving: xds port 12345, monitoring port "
                + cp.monitoringPort()
                + " (/ready, /metrics), config "
                + dir.toAbsolutePath().normalize()
                + " (watched)");
    HttpResponse<String> before = get("/ready");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).isEqualTo("not ready\n");

    releaseFirstPush.countDown();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(get("/ready").statusCode()).isEqualTo(200));
    assertThat(get("/ready").body()).isEqualTo("ready\n");
    assertThat(pushedServiceCounts).containsExactly(1);

    Files.writeString(
        dir.resolve("svc2.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(pushedServiceCounts).containsExactly(1, 2));
  }

  @Test
  void configProblemsAreServedOnTheDebugEndpoint() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {}\n");
    releaseFirstPush.countDown();
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(Optional.of(dir), 0, 0, FAST),
            (port, events) -> new RecordingFrontend(),
            Clock.systemUTC());

    assertThat(get("/debug/config_diagnostics").body())
        .isEqualTo("bad.yaml:0 Service default/: metadata.name: is required\n");
  }

  @Test
  void withoutAConfigDirTheEmbeddedSampleIsServedAndCloseReleasesThePort() throws Exception {
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(Optional.empty(), 0, 0, FAST),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC());
    assertThat(cp.store().size()).isEqualTo(14); // 4 services, 4 slices, 6 pods
    assertThat(cp.startupLine())
        .contains("xds port " + cp.xdsPort() + ",")
        .endsWith("config embedded:samples/bookinfo (no --config-dir given)");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(get("/ready").statusCode()).isEqualTo(200));

    cp.close();

    assertThatThrownBy(() -> get("/ready")).isInstanceOf(ConnectException.class);
  }

  @Test
  void aMissingConfigDirFailsStartAndLeavesNothingListening() {
    assertThatThrownBy(
            () ->
                ControlPlane.start(
                    new ControlPlane.Settings(Optional.of(dir.resolve("missing")), 0, 0, FAST),
                    (port, events) -> new RecordingFrontend(),
                    Clock.systemUTC()))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessage(dir.resolve("missing") + ": config directory does not exist");
  }
}
