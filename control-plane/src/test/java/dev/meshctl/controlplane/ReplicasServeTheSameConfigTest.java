package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two control-plane replicas watching one cluster (fabric8's CRUD mock API server) serve a proxy
 * byte-identical config under identical versions, type by type: versions are content hashes, not
 * counters or timestamps, so a proxy that reconnects to another replica is not pushed anything new.
 * Each replica also runs leader election on the same Lease; only xDS is compared.
 */
@EnableKubernetesMockClient(crud = true)
class ReplicasServeTheSameConfigTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NODE_ID =
      "sidecar~10.244.1.10~productpage-v1-7d4f9c6b5-x2k8p.default~default.svc.cluster.local";

  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void twoReplicasGiveAProxyTheSameVersionsAndResources() throws Exception {
    createBookinfo();
    List<ControlPlane> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        replicas.add(
            ControlPlane.start(
                new ControlPlane.Settings(
                    Optional.empty(),
                    0,
                    0,
                    new PushLoop.Settings(Duration.ofMillis(10), Duration.ofMillis(500)),
                    Optional.of(KubernetesSource.Settings.DEFAULT)),
                AdsXdsFrontend.factory(Clock.systemUTC()),
                Clock.systemUTC(),
                settings -> server.createClient()));
      }
      for (ControlPlane cp : replicas) {
        await().atMost(WAIT).until(cp::ready);
      }
      // Both replicas must have seen every object before their answers can be compared.
      Map<XdsType, DiscoveryResponse> first =
          await()
              .atMost(WAIT)
              .until(() -> sync(replicas.get(0)), ReplicasServeTheSameConfigTest::complete);
      Map<XdsType, DiscoveryResponse> second =
          await()
              .atMost(WAIT)
              .until(() -> sync(replicas.get(1)), ReplicasServeTheSameConfigTest::complete);

      assertThat(second.keySet()).containsExactlyElementsOf(first.keySet());
      for (XdsType type : first.keySet()) {
        assertThat(second.get(type).getVersionInfo())
            .as("%s version", type)
            .isEqualTo(first.get(type).getVersionInfo());
        assertThat(second.get(type).getResourcesList())
            .as("%s resources", type)
            .containsExactlyElementsOf(first.get(type).getResourcesList());
      }
    } finally {
      replicas.forEach(ControlPlane::close);
    }
  }

  /**
   * The DestinationRule's subset cluster and the VirtualService's weighted route are both there:
   * all the Istio config reached this replica.
   */
  private static boolean complete(Map<XdsType, DiscoveryResponse> r) {
    String v2 = "outbound|9080|v2|reviews.default.svc.cluster.local";
    return r.get(XdsType.CLUSTER).getResourcesList().stream()
            .anyMatch(a -> a.getValue().toStringUtf8().contains(v2))
        && r.get(XdsType.ROUTE).getResourcesList().stream()
            .anyMatch(a -> a.getValue().toStringUtf8().contains(v2));
  }

  /** Plays an Envoy sidecar's start-up (CDS, EDS, LDS, RDS) against one replica. */
  private static Map<XdsType, DiscoveryResponse> sync(ControlPlane cp) throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    AdsTestClient envoy =
        new AdsTestClient(
            channel,
            Node.newBuilder()
                .setId(NODE_ID)
                .setMetadata(
                    Struct.newBuilder()
                        .putFields(
                            "CLUSTER_ID", Value.newBuilder().setStringValue("Kubernetes").build())
                        .putFields(
                            "ISTIO_VERSION", Value.newBuilder().setStringValue("1.24.0").build()))
                .build());
    try {
      Map<XdsType, DiscoveryResponse> out = new TreeMap<>();
      envoy.request(XdsType.CLUSTER, List.of());
      DiscoveryResponse cds = envoy.awaitResponse(0);
      envoy.ack(cds);
      Map<String, com.google.protobuf.Message> clusters = new TreeMap<>();
      for (com.google.protobuf.Any any : cds.getResourcesList()) {
        Cluster c = any.unpack(Cluster.class);
        clusters.put(c.getName(), c);
      }
      envoy.request(XdsType.ENDPOINT, List.copyOf(XdsDump.edsNames(clusters)));
      DiscoveryResponse eds = envoy.awaitResponse(1);
      envoy.ack(eds);
      envoy.request(XdsType.LISTENER, List.of());
      DiscoveryResponse lds = envoy.awaitResponse(2);
      envoy.ack(lds);
      TreeSet<String> routes = new TreeSet<>();
      for (com.google.protobuf.Any any : lds.getResourcesList()) {
        Listener l = any.unpack(Listener.class);
        l.getFilterChainsList().stream()
            .flatMap(fc -> fc.getFiltersList().stream())
            .filter(f -> f.getTypedConfig().is(HttpConnectionManager.class))
            .forEach(
                f -> {
                  try {
                    HttpConnectionManager hcm =
                        f.getTypedConfig().unpack(HttpConnectionManager.class);
                    if (hcm.hasRds()) {
                      routes.add(hcm.getRds().getRouteConfigName());
                    }
                  } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                  }
                });
      }
      envoy.request(XdsType.ROUTE, List.copyOf(routes));
      DiscoveryResponse rds = envoy.awaitResponse(3);
      out.put(XdsType.CLUSTER, cds);
      out.put(XdsType.ENDPOINT, eds);
      out.put(XdsType.LISTENER, lds);
      out.put(XdsType.ROUTE, rds);
      return out;
    } finally {
      envoy.close();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The embedded Bookinfo sample plus reviews subsets and a weighted route, through the API. */
  private void createBookinfo() throws Exception {
    for (String file : List.of("services.yaml", "endpoints.yaml", "pods.yaml")) {
      try (InputStream in = Files.newInputStream(sample(file))) {
        for (HasMetadata o : client.load(in).items()) {
          client.resource(o).create();
        }
      }
    }
    createIstio(
        "destinationrules",
        "DestinationRule",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """);
    createIstio(
        "virtualservices",
        "VirtualService",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 80}
            - {destination: {host: reviews, subset: v2}, weight: 20}
        """);
  }

  private void createIstio(String plural, String kind, String yaml) {
    ResourceDefinitionContext ctx =
        new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io")
            .withVersion("v1")
            .withKind(kind)
            .withPlural(plural)
            .withNamespaced(true)
            .build();
    GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    client.genericKubernetesResources(ctx).inNamespace("default").resource(r).create();
  }

  private static Path sample(String file) {
    Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    return module.resolveSibling("samples").resolve("bookinfo").resolve(file);
  }
}
