package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Kubernetes flags of {@code meshctl serve}. */
class ServeKubernetesFlagsTest {
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

  @Test
  void kubeUsesTheAutoConfiguredClusterInAllNamespaces() {
    assertThat(run(Map.of(), "serve", "--kube")).isZero();
    assertThat(served.get(0).kubernetes())
        .contains(
            new KubernetesSource.Settings(
                Optional.empty(),
                List.of(),
                KubernetesSource.Settings.DEFAULT.syncTimeout(),
                KubernetesSource.Settings.DEFAULT.resync()));
    assertThat(served.get(0).configDir()).isEmpty();
  }

  @Test
  void kubeconfigImpliesKubeAndCombinesWithConfigDirAndNamespaces() {
    assertThat(
            run(
                Map.of(),
                "serve",
                "--kubeconfig",
                "/home/me/.kube/dev",
                "--config-dir",
                "/etc/mesh",
                "--watch-namespaces",
                "bookinfo,istio-system"))
        .isZero();
    ControlPlane.Settings s = served.get(0);
    assertThat(s.configDir()).contains(Path.of("/etc/mesh"));
    assertThat(s.kubernetes()).isPresent();
    assertThat(s.kubernetes().get().kubeconfig()).contains(Path.of("/home/me/.kube/dev"));
    assertThat(s.kubernetes().get().watchNamespaces()).containsExactly("bookinfo", "istio-system");
  }

  @Test
  void kubeconfigFromTheEnvironmentIsUsedByKubeButDoesNotTurnItOn() {
    Map<String, String> env = Map.of("KUBECONFIG", "/home/me/.kube/ci");
    assertThat(run(env, "serve")).isZero();
    assertThat(served.get(0).kubernetes()).isEmpty();

    assertThat(run(env, "serve", "--kube")).isZero();
    assertThat(served.get(1).kubernetes().get().kubeconfig())
        .contains(Path.of("/home/me/.kube/ci"));
  }

  @Test
  void aKubeconfigListInTheEnvironmentIsLeftToFabric8sAutoConfiguration() {
    assertThat(run(Map.of("KUBECONFIG", "/a/config:/b/config"), "serve", "--kube")).isZero();
    assertThat(served.get(0).kubernetes().get().kubeconfig()).isEmpty();
  }

  @Test
  void watchNamespacesWithoutKubernetesIsAUsageError() {
    assertThat(run(Map.of(), "serve", "--watch-namespaces", "a")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--watch-namespaces needs --kube or --kubeconfig");
    assertThat(served).isEmpty();
  }

  @Test
  void meshConfigRevisionAndTheControlPlaneNamespaceReachTheSettings() {
    assertThat(
            run(
                Map.of("POD_NAMESPACE", "mesh-cp", "REVISION", "canary"),
                "serve",
                "--kube",
                "--mesh-config",
                "/etc/istio/config/mesh"))
        .isZero();
    ControlPlane.Settings s = served.get(0);
    assertThat(s.meshConfigFile()).contains(Path.of("/etc/istio/config/mesh"));
    assertThat(s.revision()).isEqualTo("canary");
    assertThat(s.kubernetes().get().controlPlaneNamespace()).isEqualTo("mesh-cp");

    assertThat(run(Map.of(), "serve", "--kube", "--revision", "stable")).isZero();
    assertThat(served.get(1).revision()).isEqualTo("stable");
    assertThat(served.get(1).meshConfigFile()).isEmpty();
    assertThat(served.get(1).kubernetes().get().controlPlaneNamespace()).isEqualTo("istio-system");
  }
}
