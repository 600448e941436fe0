package dev.meshctl.controlplane.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
  @TempDir Path dir;
  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> changes = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private FileSource source;

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20));
  }

  static String service(String name, int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec:
          selector: {app: %s}
          ports: [{name: http, port: %d}]
        """
        .formatted(name, name, port);
  }

  static String slice(String name, String service, String ip) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s
          namespace: default
          labels: {kubernetes.io/service-name: %s}
        addressType: IPv4
        ports: [{name: http, port: 9080}]
        endpoints: [{addresses: [%s]}]
        """
        .formatted(name, service, ip);
  }

  static String docs(String... documents) {
    return String.join("---\n", documents);
  }

  private void write(String file, String text) throws IOException {
    Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private FileSource start() throws IOException {
    store.listen(changes::add);
    source =
        new FileSource(
            dir,
            store,
            r -> {
              Thread t = new Thread(r, "test-file-watcher");
              t.setDaemon(true);
              threads.add(t);
              return t;
            },
            Duration.ofMillis(20));
    source.start();
    return source;
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
  }

  private Optional<Integer> servicePort(String name) {
    return store
        .get(ConfigKey.of(ConfigKind.SERVICE, "default", name))
        .map(o -> ((Service) o).ports().get(0).port());
  }

  private Optional<String> sliceAddress(String name) {
    return store
        .get(ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", name))
        .map(o -> ((EndpointSlice) o).endpoints().get(0).addresses().get(0));
  }

  @Test
  void initialLoadReadsEveryConfigFileRecursivelyAndIgnoresOthers() throws IOException {
    write("services.yaml", docs(service("reviews", 9080), service("ratings", 9081)));
    write("nested/deeper/endpoints.yml", slice("reviews-1", "reviews", "10.244.0.5"));
    write(
        "json/details.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"details\"},"
            + "\"spec\":{\"ports\":[{\"port\":9082}]}}");
    write("README.md", service("ignored", 1));
    write(".hidden/secret.yaml", service("hidden", 1));

    start();

    assertThat(store.snapshotObjects()).hasSize(4);
    assertThat(servicePort("ratings")).contains(9081);
    assertThat(servicePort("details")).contains(9082);
    assertThat(sliceAddress("reviews-1")).contains("10.244.0.5");
    assertThat(servicePort("ignored")).isEmpty();
    assertThat(servicePort("hidden")).isEmpty();
    assertThat(source.diagnostics()).isEmpty();
    assertThat(changes).hasSize(1);
  }

  @Test
  void createModifyAndDeleteAreFollowed() throws IOException {
    start();
    assertThat(store.size()).isZero();

    write("reviews.yaml", service("reviews", 9080));
    eventually().untilAsserted(() -> assertThat(servicePort("reviews")).contains(9080));

    write("reviews.yaml", service("reviews", 9090));
    eventually().untilAsserted(() -> assertThat(servicePort("reviews")).contains(9090));

    write("sub/dir/ratings.yaml", service("ratings", 9080));
    eventually().untilAsserted(() -> assertThat(servicePort("ratings")).contains(9080));
    write("sub/dir/ratings.yaml", service("ratings", 7070));
    eventually().untilAsserted(() -> assertThat(servicePort("ratings")).contains(7070));

    Files.delete(dir.resolve("reviews.yaml"));
    eventually().untilAsserted(() -> assertThat(servicePort("reviews")).isEmpty());
    assertThat(servicePort("ratings")).contains(7070);
  }

  @Test
  void deletingADirectoryRemovesItsFiles() throws IOException {
    write("team/a.yaml", service("a", 80));
    write("team/b.yaml", service("b", 80));
    write("keep.yaml", service("keep", 80));
    start();

    Files.delete(dir.resolve("team/a.yaml"));
    Files.delete(dir.resolve("team/b.yaml"));
    Files.delete(dir.resolve("team"));

    eventually().untilAsserted(() -> assertThat(store.size()).isEqualTo(1));
    assertThat(servicePort("keep")).contains(80);
  }

  @Test
  void atomicRenameOfATempFileOverAnExistingFileIsRead() throws IOException {
    write("svc.yaml", service("reviews", 9080));
    start();

    for (String temp : List.of(".svc.yaml.tmp", "svc.yaml.new")) {
      int port = temp.startsWith(".") ? 9091 : 9092;
      write(temp, service("reviews", port));
      Files.move(
          dir.resolve(temp),
          dir.resolve("svc.yaml"),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      eventually().untilAsserted(() -> assertThat(servicePort("reviews")).contains(port));
    }
    assertThat(source.diagnostics()).isEmpty();
  }

  @Test
  void aMalformedDocumentIsReportedWithFileAndIndexWhileTheOthersLoad() throws IOException {
    write(
        "dir/bad.yaml",
        docs(
            service("reviews", 9080),
            "kind: Service\nmetadata: {name: [unclosed\n",
            service("ratings", 9080).replace("port: 9080", "port: abc"),
            service("details", 9080)));
    start();

    assertThat(servicePort("reviews")).contains(9080);
    assertThat(servicePort("details")).contains(9080);
    assertThat(servicePort("ratings")).isEmpty();
    assertThat(source.diagnostics()).hasSize(2);
    assertThat(source.diagnostics().get(0))
        .startsWith("dir/bad.yaml:1 document: invalid YAML: while parsing a flow sequence")
        .doesNotContain("\n");
    assertThat(source.diagnostics().get(1))
        .isEqualTo(
            "dir/bad.yaml:2 Service default/ratings: spec.ports[0].port: must be an integer"
                + " between 1 and 65535, got \"abc\"");
  }

  @Test
  void breakingAFileKeepsItsLastGoodObjectsAndFixingItAppliesDeletions() throws IOException {
    write(
        "endpoints.yaml",
        docs(
            slice("reviews-1", "reviews", "10.244.1.1"),
            slice("reviews-2", "reviews", "10.244.1.2")));
    start();

    // reviews-1 breaks, reviews-2 disappears, reviews-3 is new and good.
    write(
        "endpoints.yaml",
        docs(
            slice("reviews-1", "reviews", "10.244.9.9")
                .replace("addressType: IPv4", "addressType: X"),
            slice("reviews-3", "reviews", "10.244.1.3")));
    eventually().untilAsserted(() -> assertThat(sliceAddress("reviews-3")).isPresent());
    assertThat(sliceAddress("reviews-1")).contains("10.244.1.1");
    assertThat(sliceAddress("reviews-2")).contains("10.244.1.2");
    assertThat(source.diagnostics())
        .containsExactly(
            "endpoints.yaml:0 EndpointSlice default/reviews-1: addressType: must be IPv4, IPv6 or"
                + " FQDN, got \"X\"");

    write("endpoints.yaml", slice("reviews-1", "reviews", "10.244.1.7"));
    eventually().untilAsserted(() -> assertThat(sliceAddress("reviews-1")).contains("10.244.1.7"));
    assertThat(sliceAddress("reviews-2")).isEmpty();
    assertThat(sliceAddress("reviews-3")).isEmpty();
    assertThat(source.diagnostics()).isEmpty();
  }

  @Test
  void theSameObjectInTwoFilesIsTakenFromTheFirstPathWithAWarningNamingBoth() throws IOException {
    write("b/reviews.yaml", service("reviews", 2222));
    write("a.yaml", service("reviews", 1111));
    start();

    assertThat(servicePort("reviews")).contains(1111);
    assertThat(source.diagnostics())
        .containsExactly(
            "Service default/reviews: declared in both a.yaml and b/reviews.yaml; using a.yaml");

    Files.delete(dir.resolve("a.yaml"));
    eventually().untilAsserted(() -> assertThat(servicePort("reviews")).contains(2222));
    assertThat(source.diagnostics()).isEmpty();
  }

  @Test
  void closeStopsTheWatcherThread() throws IOException {
    start();
    assertThat(threads).hasSize(1);
    assertThat(threads.get(0).isAlive()).isTrue();

    source.close();

    assertThat(threads.get(0).isAlive()).isFalse();
  }

  @Test
  void startFailsClearlyWhenTheDirectoryIsMissing() {
    FileSource missing =
        new FileSource(dir.resolve("nope"), store, Thread::new, Duration.ofMillis(20));
    org.assertj.core.api.Assertions.assertThatThrownBy(missing::start)
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining("config directory does not exist");
  }
}
