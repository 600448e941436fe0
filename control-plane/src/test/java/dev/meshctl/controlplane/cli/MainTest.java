package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.ControlPlane;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ControlPlane.Settings> served = new ArrayList<>();
  private final List<LogLevel> levels = new ArrayList<>();

  private int run(Map<String, String> env, String... args) {
    return Main.run(
        args,
        env,
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          served.add(settings);
          levels.add(level);
          return 0;
        });
  }

  private int run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void pushPacingFlagsTakeIstioEnvironmentDefaults() {
    List<dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings> xds = new ArrayList<>();
    ServeCommand.Server recording =
        new ServeCommand.Server() {
          @Override
          public int serve(
              ControlPlane.Settings settings, LogLevel level, PrintWriter o, PrintWriter e) {
            throw new AssertionError("serve passes the xDS settings");
          }

          @Override
          public int serve(
              ControlPlane.Settings settings,
              dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings x,
              LogLevel level,
              PrintWriter o,
              PrintWriter e) {
            xds.add(x);
            return 0;
          }
        };
    PrintWriter o = new PrintWriter(out);
    PrintWriter e = new PrintWriter(err);
    assertThat(Main.run(new String[] {"serve"}, Map.of(), o, e, recording)).isZero();
    assertThat(
            Main.run(
                new String[] {"serve", "--max-requests-burst", "3"},
                Map.of("PILOT_PUSH_THROTTLE", "8", "PILOT_MAX_REQUESTS_PER_SECOND", "10.5"),
                o,
                e,
                recording))
        .isZero();
    assertThat(xds)
        .containsExactly(
            dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings.DEFAULT,
            new dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings(8, 10.5, 3));
    assertThat(dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings.DEFAULT)
        .isEqualTo(new dev.meshctl.controlplane.xds.AdsXdsFrontend.Settings(0, 25, 25));

    assertThat(
            Main.run(
                new String[] {"serve", "--max-requests-per-second", "0"},
                Map.of(),
                o,
                e,
                recording))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--max-requests-per-second must be a positive number, got 0.0");
    assertThat(xds).hasSize(2);
  }

  @Test
  void versionPrintsDevOutsideAJar() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).isEqualTo("meshctl dev" + System.lineSeparator());
  }

  @Test
  void serveWithoutFlagsUsesIstioDefaults() {
    assertThat(run("serve")).isZero();
    assertThat(served)
        .containsExactly(
            new ControlPlane.Settings(
                Optional.empty(),
                15010,
                15014,
                new dev.meshctl.controlplane.push.PushLoop.Settings(
                    Duration.ofMillis(100), Duration.ofSeconds(10)),
                Optional.empty(),
                Optional.of(
                    new dev.meshctl.controlplane.security.SecuritySettings(
                        Optional.of(Path.of(".meshctl", "ca")),
                        "cluster.local",
                        "istio-system",
                        15012,
                        15017,
                        Optional.empty(),
                        Optional.empty()))));
    assertThat(levels).containsExactly(LogLevel.INFO);
  }

  @Test
  void gatewayNamespaceScopeComesFromIstiosEnvironmentOrTheFlag() {
    assertThat(run("serve")).isZero();
    assertThat(served.get(0).features().scopeGatewayToNamespace()).isFalse();
    assertThat(run(Map.of("PILOT_SCOPE_GATEWAY_TO_NAMESPACE", "true"), "serve")).isZero();
    assertThat(served.get(1).features().scopeGatewayToNamespace()).isTrue();
    assertThat(run("serve", "--scope-gateway-to-namespace")).isZero();
    assertThat(served.get(2).features().scopeGatewayToNamespace()).isTrue();
    assertThat(
            run(
                Map.of("PILOT_SCOPE_GATEWAY_TO_NAMESPACE", "true"),
                "serve",
                "--scope-gateway-to-namespace=false"))
        .isZero();
    assertThat(served.get(3).features().scopeGatewayToNamespace()).isFalse();
  }

  @Test
  void flagsOverrideEnvironmentWhichOverridesDefaults() {
    Map<String, String> env =
        Map.of(
            "MESHCTL_CONFIG_DIR", "/etc/mesh",
            "MESHCTL_XDS_PORT", "16010",
            "PILOT_DEBOUNCE_AFTER", "250ms",
            "PILOT_DEBOUNCE_MAX", "1m");
    assertThat(run(env, "serve", "--xds-port", "0", "--log-level", "debug")).isZero();

    ControlPlane.Settings s = served.get(0);
    assertThat(s.configDir()).contains(Path.of("/etc/mesh"));
    assertThat(s.xdsPort()).isZero();
    assertThat(s.debounce().debounceAfter()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.debounce().debounceMax()).isEqualTo(Duration.ofMinutes(1));
    assertThat(levels).containsExactly(LogLevel.DEBUG);
  }

  @Test
  void aBadDurationIsAUsageErrorNamingFlagAndValue() {
    assertThat(run("serve", "--debounce-after", "100")).isEqualTo(2);
    assertThat(served).isEmpty();
    assertThat(err.toString())
        .startsWith(
            "Invalid value for option '--debounce-after': '100' is not a duration: expected a"
                + " number with a unit (ns, us, ms, s, m, h), like 100ms, 10s or 1m30s")
        .contains("Usage: meshctl serve");
  }

  @Test
  void aBadDurationFromTheEnvironmentIsAlsoAUsageError() {
    assertThat(run(Map.of("PILOT_DEBOUNCE_MAX", "soon"), "serve")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Invalid value for option '--debounce-max': 'soon' is not a duration");
  }

  @Test
  void debounceAfterLongerThanMaxIsRejected() {
    assertThat(run("serve", "--debounce-after", "20s")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("--debounce-after (PT20S) must not be longer than --debounce-max (PT10S)");
    assertThat(served).isEmpty();
  }

  @Test
  void outOfRangePortsAndUnknownLevelsAreRejected() {
    assertThat(run("serve", "--xds-port", "70000")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--xds-port must be between 0 and 65535, got 70000");
    assertThat(run("serve", "--log-level", "loud")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--log-level': expected one of [TRACE, DEBUG, INFO,");
  }

  @Test
  void unknownSubcommandsAndFlagsAreUsageErrors() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
    assertThat(run("serve", "--no-such-flag")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-flag'");
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("meshctl: missing a command");
    assertThat(served).isEmpty();
  }

  @Test
  void serveHelpListsEveryFlagWithItsEnvironmentVariable() {
    assertThat(run("serve", "--help")).isZero();
    String help = out.toString();
    for (String flag :
        List.of(
            "--config-dir",
            "--xds-port",
            "--monitoring-port",
            "--debounce-after",
            "--debounce-max",
            "--log-level")) {
      assertThat(help).contains(flag);
      assertThat(help).contains(Main.ENV_DEFAULTS.get(flag));
    }
    assertThat(help).contains("Default: 100ms").contains("Default: 15010");
    assertThat(served).isEmpty();
  }
}
