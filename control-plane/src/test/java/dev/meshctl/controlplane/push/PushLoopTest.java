package dev.meshctl.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.translate.TranslationContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushLoopTest {
  private static final Duration AFTER = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(1);

  /** One delivered push: when, what, and how many services the snapshot held. */
  record Pushed(Duration at, PushRequest request, int services) {}

  private final FakeScheduler scheduler = new FakeScheduler();
  private final ConfigStore store = new ConfigStore();
  private final List<Pushed> pushed = new ArrayList<>();
  private Runnable duringPush = () -> {};
  private final PushTarget target =
      new PushTarget() {
        @Override
        public void push(TranslationContext ctx) {
          throw new AssertionError("the loop passes the request");
        }

        @Override
        public void push(TranslationContext ctx, PushRequest request) {
          pushed.add(new Pushed(scheduler.elapsed(), request, ctx.snapshot().services().size()));
          duringPush.run();
        }
      };
  private final PushLoop loop =
      new PushLoop(
          store::snapshotObjects,
          target,
          scheduler,
          scheduler.clock(),
          new PushLoop.Settings(AFTER, MAX));

  {
    store.listen(loop::onChange);
  }

  private static Service service(String name) {
    return new Service(
        NamespacedName.of("default", name),
        Map.of(),
        Map.of(),
        "",
        List.of(new ServicePort("http", 80, 80, "", "TCP", "")));
  }

  private static ConfigChange sliceChange(String name) {
    return ConfigChange.of(List.of(ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", name)));
  }

  private static ConfigChange serviceChange(String name) {
    return ConfigChange.of(List.of(ConfigKey.of(ConfigKind.SERVICE, "default", name)));
  }

  private void startAndDrainInitialPush() {
    loop.start();
    scheduler.runDue();
    assertThat(pushed).hasSize(1);
    assertThat(pushed.get(0).request().full()).isTrue();
    pushed.clear();
  }

  @Test
  void nothingIsPushedBeforeStartAndEarlierChangesJoinTheImmediateInitialPush() {
    store.upsert("files", service("reviews"));
    store.upsert("files", service("ratings"));
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(pushed).isEmpty();

    loop.start();
    scheduler.runDue();

    assertThat(pushed).hasSize(1);
    Pushed initial = pushed.get(0);
    assertThat(initial.at()).isEqualTo(Duration.ofSeconds(30));
    assertThat(initial.request().full()).isTrue();
    assertThat(initial.request().mergedChanges()).isEqualTo(2);
    assertThat(initial.services()).isEqualTo(2);
    assertThat(loop.pushes()).isEqualTo(1);
  }

  @Test
  void aChangeIsPushedAfterTheQuietPeriodWithTheCurrentObjects() {
    startAndDrainInitialPush();
    store.upsert("files", service("reviews"));

    scheduler.advance(AFTER.minusMillis(1));
    assertThat(pushed).isEmpty();
    scheduler.advance(Duration.ofMillis(1));

    assertThat(pushed).hasSize(1);
    assertThat(pushed.get(0).at()).isEqualTo(AFTER);
    assertThat(pushed.get(0).services()).isEqualTo(1);
    assertThat(pushed.get(0).request().full()).isFalse();
  }

  @Test
  void eachChangeRestartsTheQuietPeriod() {
    startAndDrainInitialPush();
    loop.onChange(serviceChange("a"));
    scheduler.advance(Duration.ofMillis(60));
    loop.onChange(serviceChange("b"));
    scheduler.advance(Duration.ofMillis(60)); // 120 ms: only 60 ms quiet
    assertThat(pushed).isEmpty();

    scheduler.advance(Duration.ofMillis(40)); // 160 ms: 100 ms after the last change

    assertThat(pushed).extracting(Pushed::at).containsExactly(Duration.ofMillis(160));
    assertThat(pushed.get(0).request().mergedChanges()).isEqualTo(2);
  }

  @Test
  void aContinuousStreamOfChangesIsPushedEveryDebounceMax() {
    startAndDrainInitialPush();
    // A change every 50 ms for 3 s: never 100 ms quiet.
    for (int i = 0; i < 60; i++) {
      loop.onChange(sliceChange("s" + i));
      scheduler.advance(Duration.ofMillis(50));
    }

    assertThat(pushed)
        .extracting(Pushed::at)
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
    // Changes at 0..950 ms (20 of them) went out at 1 s, and so on.
    assertThat(pushed).allSatisfy(p -> assertThat(p.request().mergedChanges()).isEqualTo(20));
    assertThat(pushed.get(0).request().changedKeys()).hasSize(20);
  }

  @Test
  void mergedChangesKeepTheKeyUnionAndEndpointOnlyOnlyWhenAllWere() {
    startAndDrainInitialPush();
    loop.onChange(sliceChange("reviews-1"));
    loop.onChange(sliceChange("reviews-2"));
    loop.onChange(sliceChange("reviews-1"));
    scheduler.advance(AFTER);

    loop.onChange(sliceChange("reviews-1"));
    loop.onChange(serviceChange("reviews"));
    scheduler.advance(AFTER);

    assertThat(pushed).hasSize(2);
    PushRequest eds = pushed.get(0).request();
    assertThat(eds.endpointOnly()).isTrue();
    assertThat(eds.mergedChanges()).isEqualTo(3);
    assertThat(eds.changedKeys())
        .containsExactly(
            ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1"),
            ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-2"));
    PushRequest full = pushed.get(1).request();
    assertThat(full.endpointOnly()).isFalse();
    assertThat(full.changedKeys()).hasSize(2);
  }

  @Test
  void aPushCarriesTheTimeItsFirstMergedChangeEnteredDebouncing() {
    startAndDrainInitialPush();
    java.time.Instant first = scheduler.clock().instant();
    loop.onChange(sliceChange("reviews-1"));
    scheduler.advance(Duration.ofMillis(60));
    loop.onChange(sliceChange("reviews-2"));
    scheduler.advance(AFTER);

    assertThat(pushed).hasSize(1);
    assertThat(pushed.get(0).request().triggeredAt()).contains(first);
    assertThat(pushed.get(0).at()).isEqualTo(Duration.ofMillis(160));
    // Merging keeps the earliest trigger, whichever side has it.
    PushRequest early = PushRequest.of(sliceChange("a")).withTrigger(first);
    PushRequest late = PushRequest.of(sliceChange("b")).withTrigger(first.plusSeconds(1));
    assertThat(late.merge(early).triggeredAt()).contains(first);
    assertThat(early.merge(late).triggeredAt()).contains(first);
    assertThat(PushRequest.of(sliceChange("c")).merge(late).triggeredAt())
        .contains(first.plusSeconds(1));
  }

  @Test
  void aChangeDuringAPushIsPushedAfterItsOwnQuietPeriod() {
    startAndDrainInitialPush();
    duringPush =
        () -> {
          duringPush = () -> {};
          loop.onChange(serviceChange("during"));
          // Still inside the first push: nothing else may be scheduled to run right now.
          assertThat(pushed).hasSize(1);
        };
    loop.onChange(serviceChange("before"));
    scheduler.advance(AFTER);
    assertThat(pushed).hasSize(1);

    scheduler.advance(AFTER);

    assertThat(pushed).extracting(Pushed::at).containsExactly(AFTER, AFTER.multipliedBy(2));
    assertThat(pushed.get(1).request().changedKeys())
        .containsExactly(ConfigKey.of(ConfigKind.SERVICE, "default", "during"));
    assertThat(loop.pushes()).isEqualTo(3);
  }

  @Test
  void aFailingPushDoesNotStopLaterPushes() {
    startAndDrainInitialPush();
    duringPush =
        () -> {
          duringPush = () -> {};
          throw new IllegalStateException("boom");
        };
    loop.onChange(serviceChange("a"));
    scheduler.advance(AFTER);
    loop.onChange(serviceChange("b"));
    scheduler.advance(AFTER);

    assertThat(pushed).hasSize(2);
    assertThat(loop.pushes()).isEqualTo(3);
  }

  @Test
  void closeCancelsThePendingPush() {
    startAndDrainInitialPush();
    loop.onChange(serviceChange("a"));
    loop.close();
    loop.onChange(serviceChange("b"));
    scheduler.advance(Duration.ofSeconds(30));

    assertThat(pushed).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
  }
}
