package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.print.ProtoYaml;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane on the Kubernetes source (fabric8 CRUD mock API server), checked on the config
 * it generates for a sidecar: Istio config, Node topology labels, the {@code istio} mesh config
 * ConfigMap and its discovery selectors, all changed through the API.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesInformersEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final PushLoop.Settings FAST =
      new PushLoop.Settings(Duration.ofMillis(10), Duration.ofMillis(500));
  private static final XdsGenerator GENERATOR =
      new MeshGenerator(new SidecarGenerator(), new GrpcGenerator());
  private static final Proxy SIDECAR =
      MeshFixture.proxy(
          """
          id: sidecar~10.244.0.10~productpage-v1.default~default.svc.cluster.local
          metadata:
            NAMESPACE: default
            INSTANCE_IPS: 10.244.0.10
            SERVICE_ACCOUNT: bookinfo-productpage
            LABELS: {app: productpage}
          """);
  private static final String REVIEWS_HOST = "reviews.default.svc.cluster.local";
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  KubernetesMockServer server;
  KubernetesClient client;

  private final AtomicReference<TranslationContext> last = new AtomicReference<>();
  private final List<PushRequest> pushes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private ControlPlane cp;

  /** Keeps the last pushed snapshot. */
  private final class RecordingFrontend implements XdsFrontend {
    @Override
    public void push(TranslationContext ctx) {
      throw new AssertionError("the push loop passes the request");
    }

    @Override
    public void push(TranslationContext ctx, PushRequest request) {
      last.set(ctx);
      pushes.add(request);
    }

    @Override
    public int port() {
      return 12345;
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void objects() {
    client.services().resource(service("default", "reviews")).create();
    client.discovery().v1().endpointSlices().resource(slice("default", "reviews")).create();
  }

  @AfterEach
  void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  private void startControlPlane() throws Exception {
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                FAST,
                Optional.of(
                    KubernetesSource.Settings.DEFAULT.withControlPlaneNamespace("mesh-cp"))),
            (port, events) -> new RecordingFrontend(),
            Clock.systemUTC(),
            settings -> server.createClient());
    await().atMost(WAIT).until(() -> last.get() != null);
  }

  private static io.fabric8.kubernetes.api.model.Service service(String ns, String name) {
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
        .withPort(9080)
        .endPort()
        .endSpec()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(
      String ns, String service) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(service + "-1")
        .addToLabels("kubernetes.io/service-name", service)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(9080)
        .endPort()
        .addNewEndpoint()
        .withAddresses("10.244.1.5")
        .withNodeName("node-1")
        .withZone("slice-zone")
        .withNewConditions()
        .withReady(true)
        .endConditions()
        .endEndpoint()
        .build();
  }

  private static GenericKubernetesResource virtualService(String timeout) {
    return Serialization.unmarshal(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
            timeout: %s
        """
            .formatted(timeout),
        GenericKubernetesResource.class);
  }

  private static io.fabric8.kubernetes.api.model.ConfigMap meshConfigMap(String mesh) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace("mesh-cp")
        .withName("istio")
        .endMetadata()
        .addToData("mesh", mesh)
        .build();
  }

  private SortedMap<String, Message> generate(XdsType type, Subscription subscription) {
    return GENERATOR.generate(last.get(), SIDECAR, type, subscription);
  }

  /** The route timeouts (seconds) of the reviews virtual host in every route config. */
  private List<Long> reviewsTimeouts() {
    SortedMap<String, Message> lds = generate(XdsType.LISTENER, Subscription.WILDCARD);
    List<Long> out = new ArrayList<>();
    for (Message m : generate(XdsType.ROUTE, Subscription.names(XdsDump.rdsNames(lds))).values()) {
      for (var vh : ((RouteConfiguration) m).getVirtualHostsList()) {
        if (vh.getDomainsList().contains(REVIEWS_HOST)) {
          vh.getRoutesList().forEach(r -> out.add(r.getRoute().getTimeout().getSeconds()));
        }
      }
    }
    return out;
  }

  @Test
  void aVirtualServiceCreatedUpdatedAndDeletedThroughTheApiChangesTheRoutes() throws Exception {
    startControlPlane();
    List<Long> before = reviewsTimeouts();
    assertThat(before).isNotEmpty().doesNotContain(3L, 5L);

    client.genericKubernetesResources(VIRTUAL_SERVICES).resource(virtualService("3s")).create();
    await().atMost(WAIT).until(() -> reviewsTimeouts().equals(List.of(3L)));

    client.genericKubernetesResources(VIRTUAL_SERVICES).resource(virtualService("5s")).update();
    await().atMost(WAIT).until(() -> reviewsTimeouts().equals(List.of(5L)));

    client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .inNamespace("default")
        .withName("reviews")
        .delete();
    await().atMost(WAIT).until(() -> reviewsTimeouts().equals(before));
  }

  private String edsLocality() {
    String cluster = ResourceNames.outboundCluster(9080, "", REVIEWS_HOST);
    ClusterLoadAssignment cla =
        (ClusterLoadAssignment)
            generate(XdsType.ENDPOINT, Subscription.names(java.util.Set.of(cluster))).get(cluster);
    var l = cla.getEndpoints(0).getLocality();
    return l.getRegion() + "/" + l.getZone() + "/" + l.getSubZone();
  }

  @Test
  void aNodesTopologyLabelsBecomeTheLocalityOfItsEndpoints() throws Exception {
    startControlPlane();
    assertThat(edsLocality()).isEqualTo("/slice-zone/");

    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName("node-1")
                .addToLabels("topology.kubernetes.io/region", "us-east1")
                .addToLabels("topology.kubernetes.io/zone", "us-east1-c")
                .addToLabels("topology.istio.io/subzone", "rack-2")
                .endMetadata()
                .build())
        .create();
    await().atMost(WAIT).until(() -> edsLocality().equals("us-east1/us-east1-c/rack-2"));

    client.nodes().withName("node-1").delete();
    await().atMost(WAIT).until(() -> edsLocality().equals("/slice-zone/"));
  }

  /** Where the sidecar's outbound catch-all (listener virtualOutbound) sends unknown traffic. */
  private String catchAll() {
    String printed =
        ProtoYaml.print(
            generate(XdsType.LISTENER, Subscription.WILDCARD).get(ResourceNames.VIRTUAL_OUTBOUND));
    return printed.contains("cluster: " + ResourceNames.BLACKHOLE_CLUSTER)
        ? ResourceNames.BLACKHOLE_CLUSTER
        : printed.contains("cluster: " + ResourceNames.PASSTHROUGH_CLUSTER)
            ? ResourceNames.PASSTHROUGH_CLUSTER
            : printed;
  }

  @Test
  void theMeshConfigMapChangesTheConfigAndABadOneKeepsTheLastGood() throws Exception {
    startControlPlane();
    assertThat(catchAll()).isEqualTo(ResourceNames.PASSTHROUGH_CLUSTER);

    client
        .configMaps()
        .resource(meshConfigMap("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"))
        .create();
    await().atMost(WAIT).until(() -> catchAll().equals(ResourceNames.BLACKHOLE_CLUSTER));
    int pushesBefore = pushes.size();

    // A bad value: reported, and REGISTRY_ONLY stays.
    client
        .configMaps()
        .resource(meshConfigMap("outboundTrafficPolicy:\n  mode: SOMETIMES\n"))
        .update();
    await().atMost(WAIT).until(() -> !cp.diagnostics().isEmpty());
    assertThat(cp.diagnostics())
        .containsExactly(
            "ConfigMap mesh-cp/istio: mesh config: outboundTrafficPolicy.mode: unknown value"
                + " \"SOMETIMES\" (want ALLOW_ANY or REGISTRY_ONLY)");
    assertThat(pushes).hasSize(pushesBefore);
    assertThat(catchAll()).isEqualTo(ResourceNames.BLACKHOLE_CLUSTER);

    // Deleted: back to Istio's default, ALLOW_ANY.
    client.configMaps().inNamespace("mesh-cp").withName("istio").delete();
    await().atMost(WAIT).until(() -> catchAll().equals(ResourceNames.PASSTHROUGH_CLUSTER));
    assertThat(cp.diagnostics()).isEmpty();
  }

  private List<String> outboundClusters() {
    return generate(XdsType.CLUSTER, Subscription.WILDCARD).keySet().stream()
        .filter(n -> n.startsWith("outbound|"))
        .toList();
  }

  @Test
  void discoverySelectorsHideUnselectedNamespacesAndFollowTheirLabels() throws Exception {
    client.services().resource(service("other", "ratings")).create();
    client.namespaces().resource(namespace("default", Map.of("mesh", "on"))).create();
    client.namespaces().resource(namespace("other", Map.of())).create();
    startControlPlane();
    assertThat(outboundClusters())
        .containsExactly(
            "outbound|9080||ratings.other.svc.cluster.local", "outbound|9080||" + REVIEWS_HOST);

    client
        .configMaps()
        .resource(meshConfigMap("discoverySelectors:\n- matchLabels: {mesh: \"on\"}\n"))
        .create();
    await()
        .atMost(WAIT)
        .until(() -> outboundClusters().equals(List.of("outbound|9080||" + REVIEWS_HOST)));

    // Labelling the namespace brings its services back, without touching them.
    client.namespaces().resource(namespace("other", Map.of("mesh", "on"))).update();
    await().atMost(WAIT).until(() -> outboundClusters().size() == 2);
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace(
      String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }
}
