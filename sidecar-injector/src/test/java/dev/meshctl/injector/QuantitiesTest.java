package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {
  @ParameterizedTest
  @CsvSource({
    "2000m, 2",
    "100m, 100m",
    "0.5, 500m",
    "2, 2",
    "2000, 2k",
    "1500, 1500",
    "1024Mi, 1Gi",
    "128Mi, 128Mi",
    "1536Mi, 1536Mi",
    "0.5Gi, 512Mi",
    "512, 512",
    "1Ki, 1Ki",
    "0, 0",
    "not-a-quantity, not-a-quantity"
  })
  void canonicalAsKubernetesPrintsIt(String in, String want) {
    assertThat(Quantities.canonical(in)).isEqualTo(want);
  }
}
