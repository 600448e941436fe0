package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our own kube-inject golden cases under {@code src/test/resources/golden}: {@code <case>.yaml} is
 * injected with the configuration named in {@link #CONFIGS} and compared as a tree with {@code
 * <case>.yaml.injected}. {@code -Dgolden.update=true} rewrites the expected files (only ours;
 * Istio's files in the conformance directory are never written).
 */
class OwnGoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  /** Per-case configuration; every other case uses Istio's test values. */
  static final Map<String, InjectionConfig> CONFIGS =
      Map.of(
          "revision",
          Trees.ISTIO_TEST_VALUES.toBuilder()
              .revision("canary")
              .discoveryAddress("istiod-canary.istio-system.svc:15012")
              .build(),
          "classic-hold",
          Trees.ISTIO_TEST_VALUES.toBuilder()
              .nativeSidecars(false)
              .holdApplicationUntilProxyStarts(true)
              .build());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "opt-out-label",
        "revision",
        "classic-hold",
        "resource-annotations",
        "traffic-annotations",
        "probes-and-metrics"
      })
  void ownCase(String name) throws IOException {
    String input = Trees.read(GOLDEN.resolve(name + ".yaml"));
    check(name, input, CONFIGS.getOrDefault(name, Trees.ISTIO_TEST_VALUES));
  }

  /** Istio's probe input; the expected output is ours, reviewed against Istio's (injection.md). */
  @Test
  void helloProbes() throws IOException {
    String input = Trees.read(Trees.conformanceInject().resolve("hello-probes.yaml"));
    check("hello-probes", input, Trees.ISTIO_TEST_VALUES);
  }

  /** Re-injecting Istio's own injected output changes nothing (the status annotation is there). */
  @Test
  void alreadyInjectedIsUnchanged() {
    String injected = Trees.read(Trees.conformanceInject().resolve("hello.yaml.injected"));

    KubeInject.Result again = KubeInject.inject(injected, Trees.ISTIO_TEST_VALUES);

    assertThat(Trees.docs(again.yaml())).isEqualTo(Trees.docs(injected));
    assertThat(again.warnings())
        .containsExactly(
            "===> Skipping injection because Deployment \"hello\": already injected"
                + " (annotation sidecar.istio.io/status is present)");
  }

  private static void check(String name, String input, InjectionConfig config) throws IOException {
    KubeInject.Result result = KubeInject.inject(input, config);
    Path expectedFile = GOLDEN.resolve(name + ".yaml.injected");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expectedFile, result.yaml());
    }
    List<JsonNode> expected = Trees.docs(Trees.read(expectedFile));
    List<JsonNode> actual = Trees.docs(result.yaml());
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Trees.canonical(actual.get(i))).isEqualTo(Trees.canonical(expected.get(i)));
    }
  }
}
