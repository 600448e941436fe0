package dev.meshctl.controlplane.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.XdsFrontend;
import dev.meshctl.controlplane.metrics.MetricsRegistry;
import dev.meshctl.controlplane.metrics.XdsMetrics;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pilot_proxy_convergence_time} through the whole pipeline on one fake clock: a store change
 * is debounced by the push loop, pushed by the real ADS frontend to a real gRPC client, and the
 * proxy's convergence is observed as the time from the change entering debounce to the push being
 * sent (here exactly the 250 ms debounce, as the fake clock stands still while the push runs).
 */
class ConvergenceEndToEndTest {
  private static final String NODE = "sidecar~10.0.0.1~a-1.default~default.svc.cluster.local";

  private static Service service(String name) {
    return new Service(
        NamespacedName.of("default", name),
        Map.of(),
        Map.of(),
        "",
        List.of(new ServicePort("http", 80, 80, "", "TCP", "")));
  }

  @Test
  void convergenceIsMeasuredFromTheFirstChangeToThePushSent() throws Exception {
    FakeScheduler scheduler = new FakeScheduler();
    MetricsRegistry registry = new MetricsRegistry();
    ConfigStore store = new ConfigStore();
    try (XdsFrontend frontend =
        AdsXdsFrontend.factory(scheduler.clock(), AdsXdsFrontend.Settings.DEFAULT, scheduler)
            .start(0, new XdsMetrics(registry))) {
      PushLoop loop =
          new PushLoop(
              store::snapshotObjects,
              frontend,
              scheduler,
              scheduler.clock(),
              new PushLoop.Settings(Duration.ofMillis(250), Duration.ofSeconds(10)));
      store.listen(loop::onChange);
      loop.start();
      scheduler.runDue();

      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", frontend.port(), InsecureChannelCredentials.create())
              .build();
      try (AdsTestClient proxy = new AdsTestClient(channel, AdsTestClient.node(NODE))) {
        proxy.request(XdsType.CLUSTER, List.of());
        proxy.ack(proxy.awaitResponse(0));
        MetricsRegistry.Histogram convergence = histogram(registry);
        // A stream's own first response is no convergence of a push.
        assertThat(convergence.count()).isZero();

        store.upsert("files", service("reviews"));
        scheduler.advance(Duration.ofMillis(249));
        assertThat(proxy.responses()).hasSize(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(proxy.awaitResponse(1).getResourcesList())
            .hasSizeGreaterThan(proxy.responses().get(0).getResourcesCount());
        await().until(() -> convergence.count() == 1);
        assertThat(convergence.sum()).isEqualTo(0.25);
      } finally {
        channel.shutdownNow();
      }
      loop.close();
    }
  }

  private static MetricsRegistry.Histogram histogram(MetricsRegistry registry) {
    return registry.histogram(
        "pilot_proxy_convergence_time",
        "Delay in seconds between a config change and a proxy receiving all required"
            + " configuration.",
        new double[] {.1, .5, 1, 3, 5, 10, 20, 30});
  }
}
