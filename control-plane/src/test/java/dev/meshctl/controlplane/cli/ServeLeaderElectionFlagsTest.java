package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.leader.ElectionSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leader election flags of {@code meshctl serve}. */
class ServeLeaderElectionFlagsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ControlPlane.Settings> served = new ArrayList<>();

  private int run(String... args) {
    return Main.run(
        args,
        Map.of(),
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          served.add(settings);
          return 0;
        });
  }

  @Test
  void defaultsAreIstios() {
    assertThat(run("serve", "--kube")).isZero();
    assertThat(served.get(0).election()).isEqualTo(ElectionSettings.DEFAULT);
    assertThat(ElectionSettings.DEFAULT)
        .isEqualTo(
            new ElectionSettings(
                "istio-leader",
                Duration.ofSeconds(30),
                Duration.ofSeconds(15),
                Duration.ofMillis(7500)));
  }

  @Test
  void durationsAreConfigurable() {
    assertThat(
            run(
                "serve",
                "--kube",
                "--leader-election-lease-duration",
                "10s",
                "--leader-election-renew-deadline",
                "6s",
                "--leader-election-retry-period",
                "1s"))
        .isZero();
    assertThat(served.get(0).election())
        .isEqualTo(
            new ElectionSettings(
                "istio-leader",
                Duration.ofSeconds(10),
                Duration.ofSeconds(6),
                Duration.ofSeconds(1)));
  }

  @Test
  void durationsThatDoNotNestAreRefused() {
    assertThat(run("serve", "--kube", "--leader-election-renew-deadline", "45s")).isNotZero();
    assertThat(served).isEmpty();
    assertThat(err.toString())
        .contains(
            "leader election needs lease duration (PT30S) > renew deadline (PT45S) > retry period"
                + " (PT7.5S) > 0");
  }
}
