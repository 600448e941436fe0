package dev.meshctl.controlplane.source.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Service;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ConfigKey REVIEWS = ConfigKey.of(ConfigKind.SERVICE, "default", "reviews");
  private static final ConfigKey SLICE =
      ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1");
  private static final ConfigKey POD = ConfigKey.of(ConfigKind.POD, "default", "reviews-v1");

  KubernetesClient client;

  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> changes = new CopyOnWriteArrayList<>();
  private final List<KubernetesSource> sources = new CopyOnWriteArrayList<>();

  KubernetesSourceTest() {
    store.listen(changes::add);
  }

  @AfterEach
  void stop() {
    sources.forEach(KubernetesSource::close);
  }

  private KubernetesSource start(KubernetesSource.Settings settings) throws Exception {
    KubernetesSource s = new KubernetesSource(client, store, settings);
    sources.add(s);
    s.start();
    return s;
  }

  private KubernetesSource start() throws Exception {
    return start(KubernetesSource.Settings.DEFAULT);
  }

  static io.fabric8.kubernetes.api.model.Service service(String ns, String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
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

  static io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(
      String ns, String name, String service, int port, String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .addToLabels("kubernetes.io/service-name", service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(port)
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

  static io.fabric8.kubernetes.api.model.Pod pod(String ns, String name, String ip, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToLabels("app", "reviews")
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName("bookinfo-reviews")
        .addNewContainer()
        .withName("app")
        .withImage("reviews")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withPodIP(ip)
        .endStatus()
        .build();
  }

  @Test
  void objectsCreatedUpdatedAndDeletedThroughTheApiReachTheStore() throws Exception {
    client.services().resource(service("default", "reviews", 9080)).create();
    start();
    assertThat(store.get(REVIEWS))
        .get()
        .extracting(o -> ((Service) o).ports().get(0).port())
        .isEqualTo(9080);

    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("default", "reviews-1", "reviews", 9080, "10.0.0.1"))
        .create();
    client.pods().resource(pod("default", "reviews-v1", "10.0.0.1", "Running")).create();
    await().atMost(WAIT).until(() -> store.get(SLICE).isPresent() && store.get(POD).isPresent());
    assertThat(((EndpointSlice) store.get(SLICE).get()).serviceName()).isEqualTo("reviews");
    assertThat(((Pod) store.get(POD).get()).serviceAccount()).isEqualTo("bookinfo-reviews");

    client.services().resource(service("default", "reviews", 9081)).update();
    await()
        .atMost(WAIT)
        .until(() -> ((Service) store.get(REVIEWS).get()).ports().get(0).port() == 9081);

    client.discovery().v1().endpointSlices().inNamespace("default").withName("reviews-1").delete();
    await().atMost(WAIT).until(() -> store.get(SLICE).isEmpty());
    assertThat(store.get(REVIEWS)).isPresent();
  }
}
