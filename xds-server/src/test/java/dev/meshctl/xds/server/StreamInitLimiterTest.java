package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * New streams' first responses are paced by the {@link StreamInitLimiter} on an injected clock,
 * never refused, while a stream already connected keeps getting pushes.
 */
class StreamInitLimiterTest {

  private static Map<XdsType, Map<String, Message>> config(int timeout) {
    return Map.of(CLUSTER, Map.of("c", cluster("c", timeout)));
  }

  private static String node(int i) {
    return "sidecar~10.0.1." + i + "~p-" + i + ".default~default.svc.cluster.local";
  }

  @Test
  void burstThenOneSlotPerInterval() {
    ManualTime time = new ManualTime();
    StreamInitLimiter limiter = new StreamInitLimiter(4, 2, time, time);
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      limiter.acquire(() -> started.add(n));
    }
    assertThat(started).containsExactly(0, 1);
    time.advance(Duration.ofMillis(249));
    assertThat(started).containsExactly(0, 1);
    time.advance(Duration.ofMillis(1));
    assertThat(started).containsExactly(0, 1, 2);
    time.advance(Duration.ofMillis(500));
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    // Idle time refills the burst, but never beyond it.
    time.advance(Duration.ofSeconds(10));
    for (int i = 5; i < 8; i++) {
      int n = i;
      limiter.acquire(() -> started.add(n));
    }
    assertThat(started).containsExactly(0, 1, 2, 3, 4, 5, 6);
  }

  @Test
  void rejectsNonsenseSettings() {
    ManualTime time = new ManualTime();
    assertThatThrownBy(() -> new StreamInitLimiter(0, 1, time, time))
        .hasMessage("stream initialisations per second must be positive, got 0.0");
    assertThatThrownBy(() -> new StreamInitLimiter(5, 0, time, time))
        .hasMessage("stream initialisation burst must be >= 1, got 0");
  }

  @Test
  void newStreamsStartAtTheLimitedRateWhileConnectedOnesKeepGettingPushes() {
    ManualTime time = new ManualTime();
    // Two stream starts per second, no burst beyond one.
    try (AdsHarness h = new AdsHarness(time, new StreamInitLimiter(2, 1, time, time))) {
      h.ads.push(h.generator.context(config(1)));
      AdsTestClient a = h.client(NODE_A);
      a.request(CLUSTER, List.of());
      a.ack(a.awaitResponse(0)); // the first slot is free

      List<AdsTestClient> fresh = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        AdsTestClient c = h.client(node(i));
        c.request(CLUSTER, List.of());
        fresh.add(c);
      }
      // All three are connected (not refused) and waiting for their slots.
      await().until(() -> time.waiting() == 3);
      assertThat(h.ads.connections()).hasSize(4);

      // The connected stream's push is not queued behind them.
      h.ads.push(h.generator.context(config(2)));
      assertThat(a.awaitResponse(1).getVersionInfo())
          .isNotEqualTo(a.responses().get(0).getVersionInfo());
      assertThat(fresh).allSatisfy(c -> assertThat(c.responses()).isEmpty());

      // One new stream per 500 ms, each served the newest config.
      for (int started = 1; started <= 3; started++) {
        time.advance(Duration.ofMillis(499));
        assertThat(answered(fresh)).isEqualTo(started - 1);
        time.advance(Duration.ofMillis(1));
        int expected = started;
        await().until(() -> answered(fresh) == expected);
      }
      for (AdsTestClient c : fresh) {
        assertThat(c.awaitResponse(0).getVersionInfo())
            .isEqualTo(a.responses().get(1).getVersionInfo());
      }
    }
  }

  private static int answered(List<AdsTestClient> clients) {
    return (int) clients.stream().filter(c -> !c.responses().isEmpty()).count();
  }
}
