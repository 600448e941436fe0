package dev.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.bench.AckingAdsClient.ClientStats;
import dev.meshctl.xds.translate.XdsType;
import org.junit.jupiter.api.Test;

/**
 * Runs the push benchmark at a tiny size (10 services, 2 endpoints, 5 proxies, clients in-process)
 * so that it cannot rot: every proxy must converge on exactly one response per type, the endpoint
 * update must reach every proxy as exactly one more EDS response and nothing else, and the server
 * must have refused nothing.
 */
class PushBenchmarkSmokeTest {

  @Test
  void tinyMeshConvergesWithOneResponsePerTypeAndOneEdsUpdate() throws Exception {
    PushBenchmark.Result result =
        PushBenchmark.run(new PushBenchmark.Config(10, 2, 5, 2, false, "256m", 60, 3, 2, ""));

    assertThat(result.converged()).isTrue();
    assertThat(result.edsUpdated()).isTrue();
    assertThat(result.initialStats()).hasSize(5);
    for (ClientStats s : result.initialStats()) {
      assertThat(s.responses()).containsExactly(1, 1, 1, 1);
      assertThat(s.error()).isEmpty();
      assertThat(s.bytes()).isPositive();
    }
    for (ClientStats s : result.finalStats()) {
      int[] expected = new int[s.responses().length];
      java.util.Arrays.fill(expected, 1);
      expected[XdsType.ENDPOINT.ordinal()] = 2;
      assertThat(s.responses()).containsExactly(expected);
    }
    assertThat(result.report().get("resources refused by validation")).isEqualTo(0L);
    assertThat(result.report().get("NACKs")).isEqualTo(0L);
    // 10 services, one in ten with a second port: 11 outbound EDS clusters, all requested.
    assertThat(result.report().get("resources per proxy (cds/eds/lds/rds)"))
        .asString()
        .startsWith("[")
        .contains(", 11, ");
  }
}
