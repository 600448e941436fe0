package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Istio's own kube-inject golden pairs ({@code ../shared/conformance/inject}): our output, parsed,
 * must equal Istio's as a tree (after dropping Go's zero-value noise, see docs/injection.md). The
 * expected files are never written by us.
 */
class IstioGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"hello.yaml"})
  void kubeInjectMatchesIstio(String input) {
    Path dir = Trees.conformanceInject();
    String expectedYaml = Trees.read(dir.resolve(input + ".injected"));

    KubeInject.Result result =
        KubeInject.inject(Trees.read(dir.resolve(input)), Trees.ISTIO_TEST_VALUES);

    List<JsonNode> actual = Trees.docs(result.yaml());
    List<JsonNode> expected = Trees.docs(expectedYaml);
    assertThat(result.warnings()).isEmpty();
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Trees.canonical(Trees.withoutGoZeroValues(actual.get(i))))
          .isEqualTo(Trees.canonical(Trees.withoutGoZeroValues(expected.get(i))));
    }
  }
}
