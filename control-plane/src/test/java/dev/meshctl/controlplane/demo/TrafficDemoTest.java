package dev.meshctl.controlplane.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic demo end to end on a temp copy of {@code samples/traffic-demo/config}: the real
 * control plane, the demo's grpc-java backends and its proxyless xDS client, driven call by call
 * through {@link TrafficDemo#tick()} (no timer). The copy's backend ports (19081, 19082) are
 * replaced by ports the test's backends got, so parallel runs do not collide; everything else is
 * the sample as shipped. Statistical bounds are binomial 5 sigma.
 */
class TrafficDemoTest {
  static final Path SAMPLE = Path.of("..", "samples", "traffic-demo", "config");

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void copySample() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLE)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /**
   * Starts the demo on the copy with {@code headers}: backends on free ports first, their ports
   * written into the copy, then the control plane and client.
   */
  private TrafficDemo start(Map<String, String> headers) throws IOException {
    // Bind free ports, then let the demo bind them again: a port released a moment ago is free.
    int v1;
    int v2;
    try (DemoBackend a = DemoBackend.start("v1", 0);
        DemoBackend b = DemoBackend.start("v2", 0)) {
      v1 = a.port();
      v2 = b.port();
    }
    replace("backend-v1.yaml", "19081", String.valueOf(v1));
    replace("backend-v2.yaml", "19082", String.valueOf(v2));
    TrafficDemo demo =
        TrafficDemo.start(
            new TrafficDemo.Settings(
                dir,
                0,
                Map.of("v1", v1, "v2", v2),
                TrafficDemo.Settings.DEFAULT_TARGET,
                headers,
                400));
    closing.add(demo);
    return demo;
  }

  private void replace(String file, String from, String to) throws IOException {
    Path p = dir.resolve(file);
    String s = Files.readString(p);
    assertThat(s).contains(from);
    Files.writeString(p, s.replace(from, to));
  }

  @Test
  void ninetyTenSplitThenAnEditSendsEveryCallToV2() throws IOException {
    TrafficDemo demo = start(Map.of());
    assertThat(demo.controlPlane().diagnostics()).isEmpty();
    // The first call waits for the client's first xDS config, which on a loaded machine may take
    // longer than a call's deadline; the 400 calls below then fill the window on their own.
    await().atMost(Duration.ofSeconds(30)).until(() -> demo.tick().matches("#\\d+ +-> v.*"));

    // v2's share of 400 calls under 90/10 is Binomial(400, 0.1): mean 40, sigma 6, 5 sigma [10,
    // 70].
    String last = "";
    for (int i = 0; i < 400; i++) {
      last = demo.tick();
    }
    Map<String, Integer> counts = demo.tally().counts();
    assertThat(counts.keySet()).containsExactly("v1", "v2");
    assertThat(counts.get("v2")).isBetween(10, 70);
    assertThat(counts.get("v1") + counts.get("v2")).isEqualTo(400);
    assertThat(last).matches("#\\d+ +-> v[12] .*").contains("last 400: v1 █").contains("%  v2 █");

    replace("virtual-service.yaml", "weight: 90", "weight: 0");
    replace("virtual-service.yaml", "weight: 10", "weight: 100");

    // Under 90/10, 20 v2 answers in a row happen with probability 1e-20: this waits for the push.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(answers(demo, 20)).containsOnly("v2"));
    assertThat(answers(demo, 50)).containsOnly("v2");
  }

  @Test
  void uncommentedHeaderRuleSendsJasonToV2Only() throws IOException {
    TrafficDemo jason = start(Map.of("end-user", "jason"));
    DemoClient plain =
        DemoClient.connect(
            jason.controlPlane().xdsPort(), TrafficDemo.Settings.DEFAULT_TARGET, Map.of());
    closing.add(plain);
    // Before the edit jason gets the split like everyone: wait until he has met v1 once.
    await().atMost(Duration.ofSeconds(20)).until(() -> jason.tick().contains("-> v1 "));

    Path vs = dir.resolve("virtual-service.yaml");
    String uncommented = Files.readString(vs).replaceAll("(?m)^  # ", "  ");
    assertThat(uncommented)
        .contains("  - match:\n    - headers:\n        end-user: {exact: jason}");
    Files.writeString(vs, uncommented);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(answers(jason, 20)).containsOnly("v2"));
    assertThat(jason.controlPlane().diagnostics()).isEmpty();
    // Without the header the 90/10 split still holds: 200 calls reach v1 (and v2 with 1 - 1e-9).
    List<String> others = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      others.add(plain.call());
    }
    assertThat(others).contains("v1", "v2");
  }

  private static List<String> answers(TrafficDemo demo, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String line = demo.tick();
      out.add(line.substring(line.indexOf("-> ") + 3).split(" ")[0]);
    }
    return out;
  }
}
