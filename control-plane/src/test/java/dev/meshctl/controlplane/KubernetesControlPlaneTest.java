package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.translate.TranslationContext;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane on the Kubernetes source (fabric8 CRUD mock API server): objects changed
 * through the API are pushed, endpoint-only changes as endpoint-only pushes, and the push-pipeline
 * metrics count what happened.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesControlPlaneTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final PushLoop.Settings FAST =
      new PushLoop.Settings(Duration.ofMillis(10), Duration.ofMillis(500));

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<PushRequest> pushes = new CopyOnWriteArrayList<>();
  private final List<Integer> serviceCounts = new CopyOnWriteArrayList<>();
  private ControlPlane cp;

  /** Records every push with what it covers. */
  private final class RecordingFrontend implements XdsFrontend {
    @Override
    public void push(TranslationContext ctx) {
      throw new AssertionError("the push loop passes the request");
    }

    @Override
    public void push(TranslationContext ctx, PushRequest request) {
      serviceCounts.add(ctx.snapshot().services().size());
      pushes.add(request);
    }

    @Override
    public int port() {
      return 12345;
    }

    @Override
    public void close() {}
  }

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private static io.fabric8.kubernetes.api.model.Service service(String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("10.96.0.10")
        .addToSelector("app", name)
        .addNewPort()
        .withName("http")
        .withPort(port)
        .endPort()
        .endSpec()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("reviews-1")
            .addToLabels("kubernetes.io/service-name", "reviews")
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(9080)
            .endPort();
    for (String ip : ips) {
      b.addNewEndpoint()
          .withAddresses(ip)
          .withNewConditions()
          .withReady(true)
          .endConditions()
          .endEndpoint();
    }
    return b.build();
  }

  private PushRequest awaitPush(int index) {
    await().atMost(WAIT).until(() -> pushes.size() > index);
    return pushes.get(index);
  }

  @Test
  void apiChangesArePushedScopedAndCountedUnderIstiosMetricNames() throws Exception {
    client.services().resource(service("reviews", 9080)).create();
    client.services().resource(service("broken", 0)).create();
    client.discovery().v1().endpointSlices().resource(slice("10.0.0.1")).create();
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(), 0, 0, FAST, Optional.of(KubernetesSource.Settings.DEFAULT)),
            (port, events) -> new RecordingFrontend(),
            Clock.systemUTC(),
            settings -> server.createClient());

    assertThat(cp.startupLine())
        .endsWith("config kubernetes " + client.getMasterUrl() + " (all namespaces)");
    assertThat(cp.diagnostics())
        .containsExactly(
            "Service default/broken: spec.ports[0].port: must be an integer between 1 and 65535,"
                + " got 0");
    // Initial push: everything listed, full.
    assertThat(awaitPush(0).full()).isTrue();
    assertThat(serviceCounts.get(0)).isEqualTo(1);

    // An endpoint added through the API: an endpoint-only push naming the slice.
    client.discovery().v1().endpointSlices().resource(slice("10.0.0.1", "10.0.0.2")).update();
    PushRequest eds = awaitPush(1);
    assertThat(eds.endpointOnly()).isTrue();
    assertThat(eds.changedKeys())
        .containsExactly(ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1"));

    // A Service port change: a full push naming the Service.
    client.services().resource(service("reviews", 9081)).update();
    PushRequest svc = awaitPush(2);
    assertThat(svc.endpointOnly()).isFalse();
    assertThat(svc.changedKeys())
        .containsExactly(ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"));

    // Deleted through the API.
    client.services().inNamespace("default").withName("reviews").delete();
    awaitPush(3);
    assertThat(serviceCounts).containsExactly(1, 1, 1, 0);

    String metrics = cp.metrics().render();
    assertThat(metrics)
        // Store changes: create + update of the Service, its delete, create + update of the slice.
        .contains("pilot_inbound_updates{type=\"svc\"} 2\n")
        .contains("pilot_inbound_updates{type=\"svcdelete\"} 1\n")
        .contains("pilot_inbound_updates{type=\"eds\"} 2\n")
        // One trigger per change: 3 Service changes, 2 slice changes (the broken one never counts).
        .contains("pilot_push_triggers{type=\"service\"} 3\n")
        .contains("pilot_push_triggers{type=\"endpoint\"} 2\n")
        .contains("pilot_services 0\n")
        .contains("pilot_debounce_time_count 4\n")
        .contains("pilot_debounce_time_bucket{le=\"+Inf\"} 4\n")
        .contains("pilot_pushcontext_init_seconds_count 4\n")
        .contains("# TYPE pilot_pushcontext_init_seconds histogram\n")
        .containsPattern("pilot_pushcontext_init_seconds_bucket\\{le=\"0.01\"} [0-4]\n");
  }
}
