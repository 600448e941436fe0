package dev.meshctl.controlplane.source.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.status.ConfigStatus;
import dev.meshctl.controlplane.status.ObjectRef;
import dev.meshctl.controlplane.status.StatusReporter;
import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.Node;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Service;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ConfigKey REVIEWS = ConfigKey.of(ConfigKind.SERVICE, "default", "reviews");
  private static final ConfigKey SLICE =
      ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1");
  private static final ConfigKey POD = ConfigKey.of(ConfigKind.POD, "default", "reviews-v1");

  KubernetesClient client;
  KubernetesMockServer server;

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

  @Test
  void anInvalidObjectIsReportedAndSkippedWhileOthersLoadAndFixingItLoadsIt() throws Exception {
    client.services().resource(service("default", "broken", 0)).create();
    client.services().resource(service("default", "reviews", 9080)).create();
    KubernetesSource source = start();

    ConfigKey broken = ConfigKey.of(ConfigKind.SERVICE, "default", "broken");
    assertThat(store.get(REVIEWS)).isPresent();
    assertThat(store.get(broken)).isEmpty();
    assertThat(source.diagnostics())
        .containsExactly(
            "Service default/broken: spec.ports[0].port: must be an integer between 1 and 65535,"
                + " got 0");

    client.services().resource(service("default", "broken", 8080)).update();
    await().atMost(WAIT).until(() -> store.get(broken).isPresent());
    assertThat(source.diagnostics()).isEmpty();

    // Broken again: reported, and the last good version stays (as for a broken file).
    client.services().resource(service("default", "broken", 70000)).update();
    await().atMost(WAIT).until(() -> !source.diagnostics().isEmpty());
    assertThat(source.diagnostics())
        .containsExactly(
            "Service default/broken: spec.ports[0].port: must be an integer between 1 and 65535,"
                + " got 70000");
    assertThat(((Service) store.get(broken).get()).ports().get(0).port()).isEqualTo(8080);

    // Deleting it clears both.
    client.services().inNamespace("default").withName("broken").delete();
    await().atMost(WAIT).until(() -> store.get(broken).isEmpty() && source.diagnostics().isEmpty());
  }

  @Test
  void onlyPodsWithAnIpThatAreNotTerminalAreStored() throws Exception {
    client.pods().resource(pod("default", "pending", null, "Pending")).create();
    client.pods().resource(pod("default", "done", "10.0.0.2", "Succeeded")).create();
    client.pods().resource(pod("default", "reviews-v1", "10.0.0.1", "Running")).create();
    start();

    assertThat(store.snapshotObjects()).extracting(o -> o.key()).containsExactly(POD);

    // Gets an IP: now it counts; fails: it goes.
    client.pods().resource(pod("default", "pending", "10.0.0.3", "Running")).update();
    ConfigKey pending = ConfigKey.of(ConfigKind.POD, "default", "pending");
    await().atMost(WAIT).until(() -> store.get(pending).isPresent());
    client.pods().resource(pod("default", "pending", "10.0.0.3", "Failed")).update();
    await().atMost(WAIT).until(() -> store.get(pending).isEmpty());
  }

  @Test
  void aReListAfterRestartChangesNothingUnchangedAndRemovesWhatWasDeletedMeanwhile()
      throws Exception {
    client.services().resource(service("default", "reviews", 9080)).create();
    client.services().resource(service("default", "ratings", 9080)).create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("default", "reviews-1", "reviews", 9080, "10.0.0.1"))
        .create();
    KubernetesSource first = start();
    int before = changes.size();
    assertThat(store.size()).isEqualTo(3);

    // The informers stop (like a lost watch); meanwhile ratings is deleted. The new informers list
    // everything again.
    first.close();
    client.services().inNamespace("default").withName("ratings").delete();
    start();

    ConfigKey ratings = ConfigKey.of(ConfigKind.SERVICE, "default", "ratings");
    assertThat(store.get(ratings)).isEmpty();
    assertThat(changes.subList(before, changes.size()))
        .extracting(ConfigChange::keys)
        .containsExactly(new java.util.TreeSet<>(List.of(ratings)));
  }

  @Test
  void resyncsReplayEveryObjectButChangeNothing() throws Exception {
    client.services().resource(service("default", "reviews", 9080)).create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .resource(slice("default", "reviews-1", "reviews", 9080, "10.0.0.1"))
        .create();
    KubernetesSource source =
        start(
            new KubernetesSource.Settings(
                Optional.empty(), List.of(), Duration.ofSeconds(20), Duration.ofSeconds(1)));
    int before = changes.size();
    long events = source.eventsHandled();

    // Two resync rounds (fabric8's shortest period is 1 s): each replays both objects as updates.
    await().atMost(WAIT).until(() -> source.eventsHandled() >= events + 4);
    // Then one real change: it is the only change the store reports.
    client.services().resource(service("default", "ratings", 9080)).create();
    ConfigKey ratings = ConfigKey.of(ConfigKind.SERVICE, "default", "ratings");
    await().atMost(WAIT).until(() -> store.get(ratings).isPresent());
    assertThat(changes.subList(before, changes.size()))
        .extracting(ConfigChange::keys)
        .containsExactly(new java.util.TreeSet<>(List.of(ratings)));
  }

  @Test
  void watchNamespacesLimitsWhatIsSeen() throws Exception {
    client.services().resource(service("default", "reviews", 9080)).create();
    client.services().resource(service("other", "reviews", 9080)).create();
    client.services().resource(service("third", "reviews", 9080)).create();
    start(
        new KubernetesSource.Settings(
            Optional.empty(), List.of("default", "third"), Duration.ofSeconds(20), Duration.ZERO));

    assertThat(store.snapshotObjects())
        .extracting(o -> o.key().toString())
        .containsExactly("Service default/reviews", "Service third/reviews");
  }

  @Test
  void anUnreachableApiServerFailsStartNamingTheServerAndTheResource() {
    try (KubernetesClient unreachable =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:1/")
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      KubernetesSource source =
          new KubernetesSource(
              unreachable,
              store,
              new KubernetesSource.Settings(
                  Optional.empty(), List.of(), Duration.ofSeconds(5), Duration.ZERO));
      sources.add(source);
      assertThatThrownBy(source::start)
          .isInstanceOf(KubernetesSourceException.class)
          .hasMessageStartingWith(
              "Kubernetes API server https://127.0.0.1:1/: listing Service in all namespaces ");
      assertThat(store.size()).isZero();
    }
  }

  @Test
  void connectUsesTheGivenKubeconfigAndNamesAMissingOne(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: test
          user: {token: abc}
        contexts:
        - name: test
          context: {cluster: test, user: test}
        current-context: test
        """
            .formatted(client.getMasterUrl()));
    KubernetesSource.Settings settings =
        new KubernetesSource.Settings(
            Optional.of(kubeconfig), List.of(), Duration.ofSeconds(20), Duration.ZERO);
    // Only the client's configuration is checked: no connection is opened through it, since a
    // second client's connections can outlive its close and stall the mock server's shutdown
    // (starting a source is covered by the other tests, through the extension's client).
    try (KubernetesClient fromFile = KubernetesSource.connect(settings)) {
      assertThat(fromFile.getMasterUrl()).isEqualTo(client.getMasterUrl());
      assertThat(fromFile.getConfiguration().getAutoOAuthToken()).isEqualTo("abc");
    }

    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () ->
                KubernetesSource.connect(
                    new KubernetesSource.Settings(
                        Optional.of(missing), List.of(), Duration.ofSeconds(1), Duration.ZERO)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(missing + ": kubeconfig does not exist");
  }

  private static final ResourceDefinitionContext SIDECARS = istio("Sidecar", "sidecars");
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      istio("VirtualService", "virtualservices");

  private static ResourceDefinitionContext istio(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("networking.istio.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  private static GenericKubernetesResource istioObject(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  /** One object of every watched kind, and objects that must not reach the store. */
  private void createOneOfEach() {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("default")
                .addToLabels("env", "prod")
                .endMetadata()
                .build())
        .create();
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-1")
                .addToLabels("topology.kubernetes.io/zone", "z1")
                .endMetadata()
                .build())
        .create();
    client
        .configMaps()
        .resource(configMap("istio-system", "istio", "rootNamespace: mesh"))
        .create();
    // Not the mesh config: another name, another namespace.
    client.configMaps().resource(configMap("istio-system", "other", "a: b")).create();
    client.configMaps().resource(configMap("default", "istio", "a: b")).create();
    client
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("credential")
                .endMetadata()
                .addToStringData("key", "value")
                .build())
        .create();
    client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .resource(
            istioObject(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                """))
        .create();
  }

  static io.fabric8.kubernetes.api.model.ConfigMap configMap(String ns, String name, String mesh) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .addToData("mesh", mesh)
        .build();
  }

  /** EnvoyFilter exists only as {@code v1alpha3}: the informer must list that version. */
  @Test
  void envoyFiltersAreWatchedInTheirOnlyVersion() throws Exception {
    client
        .genericKubernetesResources(
            new ResourceDefinitionContext.Builder()
                .withGroup("networking.istio.io")
                .withVersion("v1alpha3")
                .withKind("EnvoyFilter")
                .withPlural("envoyfilters")
                .withNamespaced(true)
                .build())
        .resource(
            istioObject(
                """
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: lua, namespace: default}
                spec:
                  configPatches:
                  - applyTo: CLUSTER
                    patch: {operation: REMOVE}
                """))
        .create();
    KubernetesSource source = start();

    await()
        .atMost(WAIT)
        .until(
            () -> store.get(ConfigKey.of(ConfigKind.ENVOY_FILTER, "default", "lua")).isPresent());
    assertThat(source.missingCrds()).isEmpty();
  }

  @Test
  void everyWatchedKindReachesTheStore() throws Exception {
    createOneOfEach();
    KubernetesSource source = start();

    assertThat(store.snapshotObjects())
        .extracting(o -> o.key().toString())
        .containsExactly(
            "VirtualService default/reviews",
            "Secret default/credential",
            "Namespace /default",
            "Node /node-1",
            "MeshConfig /mesh");
    assertThat(((MeshConfig) store.get(MeshConfig.KEY).get()).rootNamespace()).isEqualTo("mesh");
    assertThat(((Node) store.get(ConfigKey.of(ConfigKind.NODE, "", "node-1")).get()).locality())
        .isEqualTo(new Locality("", "z1", ""));
    assertThat(source.diagnostics()).isEmpty();
    assertThat(source.missingCrds()).isEmpty();

    // A Secret's deletion reaches the store as its own change (SDS serves gateway credentials).
    ConfigKey secret = ConfigKey.of(ConfigKind.SECRET, "default", "credential");
    assertThat(store.get(secret)).isPresent();
    client.secrets().inNamespace("default").withName("credential").delete();
    await().atMost(WAIT).until(() -> store.get(secret).isEmpty());
  }

  /** Records what a source reports for config status, in order, as readable lines. */
  private static final class RecordingReporter implements StatusReporter {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void report(ConfigStatus status) {
      events.add(
          "report "
              + status.ref().group()
              + " "
              + status.ref()
              + " gen="
              + status.generation()
              + " "
              + status.findings().stream()
                  .map(f -> f.severity() + " " + f.path() + ": " + f.message())
                  .toList());
    }

    @Override
    public void forget(ObjectRef ref) {
      events.add("forget " + ref);
    }
  }

  @Test
  void everyIstioObjectsOutcomeIsReportedForStatusAndADeletionIsForgotten() throws Exception {
    createOneOfEach(); // a valid VirtualService, and kinds that have no status of ours
    client
        .genericKubernetesResources(
            new ResourceDefinitionContext.Builder()
                .withGroup("security.istio.io")
                .withVersion("v1")
                .withKind("PeerAuthentication")
                .withPlural("peerauthentications")
                .withNamespaced(true)
                .build())
        .resource(
            istioObject(
                """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: bad, namespace: default}
                spec: {portLevelMtls: {"0": {mode: STRICT}}, selector: {matchLabels: {app: a}}}
                """))
        .create();
    RecordingReporter reporter = new RecordingReporter();
    KubernetesSource source =
        new KubernetesSource(client, store, KubernetesSource.Settings.DEFAULT, reporter);
    sources.add(source);
    source.start();

    assertThat(reporter.events)
        .containsExactlyInAnyOrder(
            "report networking.istio.io VirtualService default/reviews gen=1 []",
            "report security.istio.io PeerAuthentication default/bad gen=1 [ERROR"
                + " spec.portLevelMtls.0: port must be a number in 1..65535, got \"0\"]");

    reporter.events.clear();
    client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .inNamespace("default")
        .withName("reviews")
        .delete();
    await().atMost(WAIT).until(() -> !reporter.events.isEmpty());
    assertThat(reporter.events).containsExactly("forget VirtualService default/reviews");
  }

  @Test
  void aBadMeshConfigMapIsReportedAndKeepsTheLastGood() throws Exception {
    client
        .configMaps()
        .resource(configMap("istio-system", "istio", "enableAutoMtls: false"))
        .create();
    KubernetesSource source = start();
    assertThat(((MeshConfig) store.get(MeshConfig.KEY).get()).enableAutoMtls()).isFalse();

    client
        .configMaps()
        .resource(configMap("istio-system", "istio", "enableAutoMtls: false\nconnectTimeout: x"))
        .update();
    await().atMost(WAIT).until(() -> !source.diagnostics().isEmpty());
    assertThat(source.diagnostics())
        .containsExactly(
            "ConfigMap istio-system/istio: mesh config: connectTimeout: invalid duration \"x\":"
                + " invalid duration \"x\"");
    assertThat(((MeshConfig) store.get(MeshConfig.KEY).get()).enableAutoMtls()).isFalse();
  }

  @Test
  void aReListOfEveryKindChangesNothingUnchanged() throws Exception {
    createOneOfEach();
    KubernetesSource first = start();
    int before = changes.size();
    int objects = store.size();

    first.close();
    // As after a restart: a new client and source. fabric8's mock server can be slow to take new
    // connections while the closed source's watches are torn down, so a start that times out
    // listing is retried (a restarted control plane would retry too); re-listed objects that
    // are already in the store must cause no change either way.
    List<io.fabric8.kubernetes.client.KubernetesClient> clients = new ArrayList<>();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptionsInstanceOf(KubernetesSourceException.class)
          .until(
              () -> {
                io.fabric8.kubernetes.client.KubernetesClient c = server.createClient();
                clients.add(c);
                KubernetesSource second =
                    new KubernetesSource(c, store, KubernetesSource.Settings.DEFAULT);
                sources.add(second);
                second.start();
                return true;
              });
      assertThat(store.size()).isEqualTo(objects);
      assertThat(changes.subList(before, changes.size())).isEmpty();
    } finally {
      sources.forEach(KubernetesSource::close);
      clients.forEach(io.fabric8.kubernetes.client.KubernetesClient::close);
    }
  }

  @Test
  void aMissingCrdIsReportedOnceAndItsObjectsArriveOnceItIsInstalled() throws Exception {
    // The first list of Sidecars answers 404 (CRD not installed); later lists succeed.
    server
        .expect()
        .get()
        .withPath("/apis/networking.istio.io/v1/sidecars?resourceVersion=0")
        .andReturn(
            404,
            new StatusBuilder()
                .withCode(404)
                .withReason("NotFound")
                .withMessage("the server could not find the requested resource")
                .build())
        .once();
    client.services().resource(service("default", "reviews", 9080)).create();
    KubernetesSource source = start();

    assertThat(store.get(REVIEWS)).isPresent();
    assertThat(source.missingCrds()).containsExactly("Sidecar networking.istio.io/v1");

    client
        .genericKubernetesResources(SIDECARS)
        .resource(
            istioObject(
                """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                  egress:
                  - hosts: ["./*"]
                """))
        .create();
    ConfigKey sidecar = ConfigKey.of(ConfigKind.SIDECAR, "default", "default");
    await().atMost(WAIT).until(() -> store.get(sidecar).isPresent());
  }
}
