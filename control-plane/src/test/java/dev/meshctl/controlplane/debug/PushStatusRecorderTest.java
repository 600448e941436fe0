package dev.meshctl.controlplane.debug;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.push.PushObserver;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.push.PushTarget;
import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.translate.TranslationContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The recorder forwards everything and remembers the last push with its timings. */
class PushStatusRecorderTest {

  @Test
  void recordsTheLastPushAndForwards() {
    Clock clock = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
    PushStatusRecorder recorder = new PushStatusRecorder(clock, () -> 3);
    List<String> forwarded = new ArrayList<>();
    PushObserver observer =
        recorder.observing(
            new PushObserver() {
              @Override
              public void snapshotBuilt(
                  PushRequest r, MeshSnapshot s, Duration build, Duration debounced) {
                forwarded.add("built " + build.toMillis());
              }
            });
    PushTarget target = recorder.recording(ctx -> forwarded.add("pushed"));
    assertThat(recorder.last()).isEmpty();

    ConfigKey slice = ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-abc");
    PushRequest request = PushRequest.of(ConfigChange.of(Set.of(slice)));
    MeshSnapshot snapshot = MeshSnapshot.empty();
    observer.snapshotBuilt(request, snapshot, Duration.ofMillis(7), Duration.ofMillis(120));
    target.push(new TranslationContext(snapshot), request);

    assertThat(forwarded).containsExactly("built 7", "pushed");
    PushStatusRecorder.PushStatus last = recorder.last().orElseThrow();
    assertThat(last)
        .isEqualTo(
            new PushStatusRecorder.PushStatus(
                clock.instant(),
                false,
                true,
                1,
                List.of("EndpointSlice default/reviews-abc"),
                0,
                3,
                Duration.ofMillis(7),
                Duration.ofMillis(120),
                Duration.ofMillis(7),
                1));
    assertThat(recorder.lastSnapshot()).containsSame(snapshot);
  }
}
