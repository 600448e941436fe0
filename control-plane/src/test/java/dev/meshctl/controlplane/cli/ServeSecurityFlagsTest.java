package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.security.SecuritySettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CA, secure xDS and webhook flags of {@code meshctl serve}. */
class ServeSecurityFlagsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ControlPlane.Settings> served = new ArrayList<>();

  private int run(Map<String, String> env, String... args) {
    return Main.run(
        args,
        env,
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          served.add(settings);
          return 0;
        });
  }

  private SecuritySettings security() {
    return served.get(0).security().orElseThrow();
  }

  @Test
  void everySecurityFlagReachesTheSettings() {
    assertThat(
            run(
                Map.of(),
                "serve",
                "--ca-dir",
                "/var/lib/meshctl/ca",
                "--trust-domain",
                "example.org",
                "--namespace",
                "mesh",
                "--secure-xds-port",
                "0",
                "--webhook-port",
                "9443",
                "--injector-values",
                "/etc/injector.yaml",
                "--insecure-ca-tokens",
                "/etc/tokens"))
        .isZero();
    assertThat(security())
        .isEqualTo(
            new SecuritySettings(
                Optional.of(Path.of("/var/lib/meshctl/ca")),
                "example.org",
                "mesh",
                0,
                9443,
                Optional.of(Path.of("/etc/injector.yaml")),
                Optional.of(Path.of("/etc/tokens"))));
  }

  @Test
  void withKubeTheCaLivesInSecretsUnlessADirectoryIsGiven() {
    assertThat(run(Map.of("POD_NAMESPACE", "mesh-system"), "serve", "--kube")).isZero();
    assertThat(security().caDir()).isEmpty();
    assertThat(security().namespace()).isEqualTo("mesh-system");

    assertThat(run(Map.of("MESHCTL_CA_DIR", "/etc/cacerts"), "serve", "--kube")).isZero();
    assertThat(served.get(1).security().orElseThrow().caDir()).contains(Path.of("/etc/cacerts"));
  }

  @Test
  void insecureTokensAreRefusedWithKube() {
    assertThat(run(Map.of(), "serve", "--kube", "--insecure-ca-tokens", "/t")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "--insecure-ca-tokens is for runs without a cluster; with --kube tokens are checked"
                + " by TokenReview");
    assertThat(served).isEmpty();
  }

  @Test
  void securePortsAreRangeChecked() {
    assertThat(run(Map.of(), "serve", "--webhook-port", "70000")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--webhook-port must be between 0 and 65535, got 70000");
    assertThat(served).isEmpty();
  }

  @Test
  void helpDocumentsEverySecurityFlag() {
    assertThat(run(Map.of(), "serve", "--help")).isZero();
    String help = out.toString();
    for (String flag :
        List.of(
            "--ca-dir",
            "--trust-domain",
            "--namespace",
            "--secure-xds-port",
            "--webhook-port",
            "--injector-values",
            "--insecure-ca-tokens")) {
      assertThat(help).contains(flag);
    }
    assertThat(help)
        .contains("MESHCTL_CA_DIR")
        .contains("POD_NAMESPACE")
        .contains("Default: 15012")
        .contains("Default: 15017")
        .contains("Default: cluster.local");
  }
}
