package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a Service's or ServiceEntry's traffic distribution preference is read, as Istio reads it. */
class TrafficDistributionTest {
  static final String A = TrafficDistribution.ANNOTATION;

  @Test
  void aKnownSpecValueWinsOverTheAnnotation() {
    assertThat(TrafficDistribution.of("PreferClose", Map.of(A, "PreferSameNode")))
        .isEqualTo(TrafficDistribution.PREFER_SAME_ZONE);
    assertThat(TrafficDistribution.of("PreferSameNode", Map.of()))
        .isEqualTo(TrafficDistribution.PREFER_SAME_NODE);
  }

  @Test
  void theAnnotationIsCaseInsensitiveAndAnUnknownValueMeansAny() {
    assertThat(TrafficDistribution.of(null, Map.of(A, "preferclose")))
        .isEqualTo(TrafficDistribution.PREFER_SAME_ZONE);
    assertThat(TrafficDistribution.of("Sideways", Map.of(A, "PREFERSAMENODE")))
        .isEqualTo(TrafficDistribution.PREFER_SAME_NODE);
    assertThat(TrafficDistribution.of(null, Map.of(A, "nearest")))
        .isEqualTo(TrafficDistribution.ANY);
    assertThat(TrafficDistribution.of(null, Map.of())).isEqualTo(TrafficDistribution.ANY);
  }
}
