package dev.meshctl.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.metrics.MetricsRegistry;
import dev.meshctl.controlplane.metrics.PushMetrics;
import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.translate.TranslationContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the push loop reports to its observer, on a fake clock, and the metrics made of it. */
class PushObserverTest {
  private static final Duration AFTER = Duration.ofMillis(100);

  record Built(PushRequest request, int services, Duration buildTime, Duration debounced) {}

  private final FakeScheduler scheduler = new FakeScheduler();
  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> received = new ArrayList<>();
  private final List<Built> built = new ArrayList<>();
  private final MetricsRegistry registry = new MetricsRegistry();
  private final PushMetrics metrics = new PushMetrics(registry);
  private final PushObserver observer =
      new PushObserver() {
        @Override
        public void changeReceived(ConfigChange change) {
          received.add(change);
          metrics.changeReceived(change);
        }

        @Override
        public void snapshotBuilt(
            PushRequest request, MeshSnapshot snapshot, Duration buildTime, Duration debounced) {
          built.add(new Built(request, snapshot.services().size(), buildTime, debounced));
          metrics.snapshotBuilt(request, snapshot, buildTime, debounced);
        }
      };
  private final PushLoop loop =
      new PushLoop(
          store::snapshotObjects,
          (TranslationContext ctx) -> {},
          scheduler,
          scheduler.clock(),
          new PushLoop.Settings(AFTER, Duration.ofSeconds(1)),
          observer);

  {
    store.listen(loop::onChange);
    store.observe(metrics);
  }

  private static Service service(String name, int port) {
    return new Service(
        NamespacedName.of("default", name),
        Map.of(),
        Map.of(),
        "",
        List.of(new ServicePort("http", port, port, "", "TCP", "")));
  }

  @Test
  void debounceTimeRunsFromTheFirstMergedChangeAndEqualReappliesAreNotUpdates() {
    loop.start();
    scheduler.runDue();
    assertThat(built).hasSize(1);
    assertThat(built.get(0).debounced()).isZero();

    store.upsert("test", service("a", 80));
    scheduler.advance(Duration.ofMillis(50));
    store.upsert("test", service("b", 80));
    store.upsert("test", service("b", 80)); // equal: no change, no trigger, no update
    scheduler.advance(Duration.ofMillis(100));
    scheduler.runDue();

    assertThat(received).hasSize(2);
    assertThat(built).hasSize(2);
    Built second = built.get(1);
    assertThat(second.request().mergedChanges()).isEqualTo(2);
    assertThat(second.services()).isEqualTo(2);
    assertThat(second.debounced()).isEqualTo(Duration.ofMillis(150));
    assertThat(second.buildTime()).isZero(); // the fake clock stands still while building

    store.delete("test", service("a", 80).key());
    scheduler.advance(AFTER);
    scheduler.runDue();

    assertThat(registry.render())
        .contains("pilot_inbound_updates{type=\"svc\"} 2\n")
        .contains("pilot_inbound_updates{type=\"svcdelete\"} 1\n")
        .contains("pilot_push_triggers{type=\"service\"} 3\n")
        .contains("pilot_services 1\n")
        // Initial push (0 s) and two debounced pushes (0.15 s, 0.1 s): 1 at or below 0.01 s.
        .contains("pilot_debounce_time_bucket{le=\"0.01\"} 1\n")
        .contains("pilot_debounce_time_bucket{le=\"0.1\"} 2\n")
        .contains("pilot_debounce_time_bucket{le=\"1\"} 3\n")
        .contains("pilot_debounce_time_sum 0.25\n")
        .contains("pilot_pushcontext_init_seconds_count 3\n");
  }
}
