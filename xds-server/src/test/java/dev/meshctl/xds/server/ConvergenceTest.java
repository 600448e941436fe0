package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A push carrying the time of its first config change is reported as converged, per proxy, with the
 * delay from that change (read on the server's injected clock) to the push having been sent; merged
 * pushes report from the earliest change, and pushes without a trigger report nothing.
 */
class ConvergenceTest {

  private static Map<XdsType, Map<String, Message>> config(int timeout) {
    return Map.of(CLUSTER, Map.of("c", cluster("c", timeout)));
  }

  @Test
  void pushReportsDelayFromTriggerToSentPerProxy() {
    ManualTime time = new ManualTime();
    try (AdsHarness h = new AdsHarness(time, StreamInitLimiter.UNLIMITED)) {
      AdsTestClient a = h.client(NODE_A);
      AdsTestClient b = h.client(NODE_B);
      a.request(CLUSTER, List.of());
      b.request(CLUSTER, List.of());
      await().until(() -> h.ads.connections().size() == 2);
      h.ads.push(h.generator.context(config(1)));
      a.ack(a.awaitResponse(0));
      b.ack(b.awaitResponse(0));
      // The initial responses and a push without trigger are no convergence.
      assertThat(h.events.of("converged")).isEmpty();

      Instant trigger = time.instant();
      time.advance(Duration.ofMillis(1500));
      h.ads.push(h.generator.context(config(2)), PushScope.ALL.withTrigger(trigger));

      a.awaitResponse(1);
      b.awaitResponse(1);
      await()
          .untilAsserted(
              () ->
                  assertThat(h.events.of("converged"))
                      .containsExactlyInAnyOrder(
                          "converged " + NODE_A + " 1500ms", "converged " + NODE_B + " 1500ms"));
    }
  }

  @Test
  void mergedScopesKeepTheEarliestTrigger() {
    Instant early = Instant.parse("2026-01-01T00:00:00Z");
    Instant late = early.plusSeconds(3);
    PushScope eds = PushScope.endpoints(Set.of()).withTrigger(late);
    PushScope lds = new PushScope(EnumSet.of(XdsType.LISTENER), Set.of()).withTrigger(early);
    assertThat(eds.union(lds).triggeredAt()).contains(early);
    assertThat(lds.union(eds).triggeredAt()).contains(early);
    assertThat(PushScope.ALL.union(eds).triggeredAt()).contains(late);
    assertThat(eds.union(PushScope.ALL).triggeredAt()).contains(late);
    assertThat(eds.union(PushScope.ALL).types()).isEqualTo(PushScope.ALL.types());
    assertThat(PushScope.ALL.union(PushScope.ALL).triggeredAt()).isEmpty();
  }
}
