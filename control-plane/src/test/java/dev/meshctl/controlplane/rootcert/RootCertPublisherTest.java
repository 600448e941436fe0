package dev.meshctl.controlplane.rootcert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class RootCertPublisherTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ROOT_1 =
      "-----BEGIN CERTIFICATE-----\nroot-1\n-----END CERTIFICATE-----\n";
  private static final String ROOT_2 =
      "-----BEGIN CERTIFICATE-----\nroot-2\n-----END CERTIFICATE-----\n";

  KubernetesClient client;

  private final AtomicReference<String> root = new AtomicReference<>(ROOT_1);
  private RootCertPublisher publisher;

  @AfterEach
  void stop() {
    if (publisher != null) {
      publisher.stop();
    }
  }

  private void namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private String published(String namespace) {
    ConfigMap cm =
        client.configMaps().inNamespace(namespace).withName(RootCertPublisher.CONFIG_MAP).get();
    return cm == null || cm.getData() == null ? null : cm.getData().get(RootCertPublisher.KEY);
  }

  private void awaitEverywhere(List<String> namespaces, String pem) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String ns : namespaces) {
                assertThat(published(ns)).as(ns).isEqualTo(pem);
              }
            });
  }

  @Test
  void keepsTheRootConfigMapInEveryNamespace() {
    List<String> all = List.of("default", "istio-system", "bookinfo");
    all.forEach(this::namespace);
    publisher = new RootCertPublisher(client, root::get, Duration.ofMillis(100));
    publisher.start();

    awaitEverywhere(all, ROOT_1);
    ConfigMap cm =
        client.configMaps().inNamespace("default").withName(RootCertPublisher.CONFIG_MAP).get();
    assertThat(cm.getMetadata().getLabels()).containsEntry("istio.io/config", "true");
    await().atMost(WAIT).until(() -> publisher.writes() == 3);

    // Deleted: recreated.
    client.configMaps().inNamespace("bookinfo").withName(RootCertPublisher.CONFIG_MAP).delete();
    await().atMost(WAIT).until(() -> ROOT_1.equals(published("bookinfo")));

    // Modified: put back.
    client
        .configMaps()
        .inNamespace("default")
        .withName(RootCertPublisher.CONFIG_MAP)
        .edit(c -> new ConfigMapBuilder(c).addToData(RootCertPublisher.KEY, "tampered").build());
    await().atMost(WAIT).until(() -> ROOT_1.equals(published("default")));

    // A new namespace gets one.
    namespace("new-app");
    await().atMost(WAIT).until(() -> ROOT_1.equals(published("new-app")));
    long settled = publisher.writes();
    assertThat(settled).isEqualTo(6);

    // Rotation: every namespace is updated, once.
    root.set(ROOT_2);
    List<String> now = List.of("default", "istio-system", "bookinfo", "new-app");
    awaitEverywhere(now, ROOT_2);
    await().atMost(WAIT).until(() -> publisher.writes() == settled + 4);
  }

  @Test
  void writesNothingWhenEveryConfigMapIsCurrent() {
    namespace("default");
    client
        .configMaps()
        .inNamespace("default")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName(RootCertPublisher.CONFIG_MAP)
                .addToLabels("istio.io/config", "true")
                .endMetadata()
                .addToData(RootCertPublisher.KEY, ROOT_1)
                .build())
        .create();
    publisher = new RootCertPublisher(client, root::get, Duration.ofMillis(50));
    publisher.start();
    namespace("other");
    // "other" proves the publisher ran after it saw "default"; "default" needed no write.
    await().atMost(WAIT).until(() -> ROOT_1.equals(published("other")));
    assertThat(publisher.writes()).isEqualTo(1);
  }

  @Test
  void stoppedPublisherWritesNothing() {
    namespace("default");
    publisher = new RootCertPublisher(client, root::get, Duration.ofMillis(50));
    publisher.start();
    await().atMost(WAIT).until(() -> ROOT_1.equals(published("default")));
    publisher.stop();

    client.configMaps().inNamespace("default").withName(RootCertPublisher.CONFIG_MAP).delete();
    namespace("later");
    root.set(ROOT_2);
    // Restarting (leadership regained) repairs what happened meanwhile.
    assertThat(published("default")).isNull();
    assertThat(published("later")).isNull();
    publisher.start();
    awaitEverywhere(List.of("default", "later"), ROOT_2);
  }
}
