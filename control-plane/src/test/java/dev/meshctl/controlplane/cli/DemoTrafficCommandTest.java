package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.demo.TrafficDemo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshctl demo traffic} flags through {@link Main#run}, with a runner that only records. */
class DemoTrafficCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<TrafficDemo.Settings> ran = new ArrayList<>();
  private final List<Duration> periods = new ArrayList<>();
  private final List<LogLevel> levels = new ArrayList<>();

  private int run(String... args) {
    return runWithEnv(Map.of(), args);
  }

  private int runWithEnv(Map<String, String> env, String... args) {
    return Main.run(
        args,
        env,
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          throw new AssertionError("serve must not run");
        },
        (settings, period, level, o, e) -> {
          levels.add(level);
          ran.add(settings);
          periods.add(period);
          return 0;
        });
  }

  @Test
  void defaultsMatchTheSample() {
    assertThat(run("demo", "traffic", "--config-dir", dir.toString())).isZero();
    assertThat(ran)
        .containsExactly(
            new TrafficDemo.Settings(
                dir,
                0,
                Map.of("v1", 19081, "v2", 19082),
                "reviews.demo.svc.cluster.local:9080",
                Map.of(),
                50));
    assertThat(periods).containsExactly(Duration.ofMillis(200));
    assertThat(levels).containsExactly(LogLevel.WARN);
  }

  @Test
  void serveEnvironmentDefaultsDoNotApplyToTheDemo() {
    // MESHCTL_XDS_PORT is serve's flag default; the demo keeps its own (0, any free port).
    assertThat(
            runWithEnv(
                Map.of("MESHCTL_XDS_PORT", "15010", "MESHCTL_LOG_LEVEL", "debug"),
                "demo",
                "traffic",
                "--config-dir",
                dir.toString()))
        .isZero();
    assertThat(ran).extracting(TrafficDemo.Settings::xdsPort).containsExactly(0);
    assertThat(levels).containsExactly(LogLevel.WARN);
  }

  @Test
  void headersBackendsAndIntervalAreParsed() {
    assertThat(
            run(
                "demo",
                "traffic",
                "--config-dir",
                dir.toString(),
                "--header",
                "end-user=jason",
                "--backend",
                "v1=0,v3=7000",
                "--interval",
                "1s"))
        .isZero();
    assertThat(ran.get(0).headers()).containsExactly(Map.entry("end-user", "jason"));
    assertThat(ran.get(0).backends()).containsOnly(Map.entry("v1", 0), Map.entry("v3", 7000));
    assertThat(periods).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void badFlagsAreUsageErrors() {
    assertThat(run("demo", "traffic", "--config-dir", dir.toString(), "--header", "End-User=x"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--header must be NAME=VALUE with a lower-case name, got 'End-User=x'");
    assertThat(run("demo", "traffic", "--config-dir", dir.toString(), "--backend", "v1=http"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--backend must be VERSION=PORT with a port 0-65535, got 'v1=http'");
    assertThat(run("demo", "traffic", "--config-dir", dir.resolve("missing").toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--config-dir " + dir.resolve("missing") + " is not a directory");
    assertThat(run("demo")).isEqualTo(2);
    assertThat(err.toString()).contains("meshctl demo: missing a demo (traffic)");
    assertThat(ran).isEmpty();
  }
}
