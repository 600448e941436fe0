package dev.meshctl.controlplane.source.kube;

import static dev.meshctl.controlplane.source.kube.KubernetesSourceTest.service;
import static dev.meshctl.controlplane.source.kube.KubernetesSourceTest.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An API server restart under running informers: the mock server is shut down (every watch breaks)
 * and a new one starts on the same port with the same objects (the CRUD state lives in the
 * dispatcher, shared by both). The informers reconnect on their own.
 */
class ApiServerRestartTest {
  private final KubernetesCrudDispatcher state = new KubernetesCrudDispatcher();
  private final List<KubernetesMockServer> servers = new CopyOnWriteArrayList<>();
  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> changes = new CopyOnWriteArrayList<>();
  private KubernetesClient client;
  private KubernetesSource source;

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    if (client != null) {
      client.close();
    }
    servers.forEach(KubernetesMockServer::destroy);
  }

  private KubernetesMockServer server() {
    KubernetesMockServer s =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), state, true);
    servers.add(s);
    return s;
  }

  @Test
  void aRestartedApiServerLosesNoUpdateAndReAppliesNothingUnchanged() throws Exception {
    KubernetesMockServer first = server();
    first.init();
    client = first.createClient();
    client.services().resource(service("default", "reviews", 9080)).create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("default", "reviews-1", "reviews", 9080, "10.0.0.1"))
        .create();
    store.listen(changes::add);
    source = new KubernetesSource(client, store, KubernetesSource.Settings.DEFAULT);
    source.start();
    int before = changes.size();
    assertThat(store.size()).isEqualTo(2);

    int port = client.getMasterUrl().getPort();
    first.shutdown();
    server().init(InetAddress.getByName(client.getMasterUrl().getHost()), port);

    // Once the informers are back, a change made through the API arrives, and it is the only one.
    ConfigKey ratings = ConfigKey.of(ConfigKind.SERVICE, "default", "ratings");
    client.services().resource(service("default", "ratings", 9080)).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> store.get(ratings).isPresent());
    assertThat(changes.subList(before, changes.size()))
        .extracting(ConfigChange::keys)
        .containsExactly(new TreeSet<>(List.of(ratings)));
    assertThat(store.size()).isEqualTo(3);
  }
}
