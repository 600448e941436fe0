package dev.meshctl.controlplane.e2e;

import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes path end to end with real peers: a fabric8 CRUD mock API server holds a Service
 * and its EndpointSlice; the control plane watches it (informers, push loop, ADS server,
 * translators, validator); two real grpc-java servers on loopback are the endpoints; a real
 * grpc-java xDS client makes RPCs. Editing the EndpointSlice through the API moves the traffic.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProxylessGrpcEndToEndTest {
  private static final String SCHEME = "meshctl-kube-e2e";
  private static final String TARGET = SCHEME + ":///greeter.default.svc.cluster.local:7070";

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<Server> backends = new ArrayList<>();
  private ControlPlane cp;
  private ManagedChannel channel;
  private XdsNameResolverProvider resolver;

  @BeforeEach
  void start() throws IOException {
    int portA = backend("a");
    int portB = backend("b");
    client
        .services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("greeter")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.7.7")
                .addToSelector("app", "greeter")
                .addNewPort()
                .withName("grpc")
                .withPort(7070)
                .withNewTargetPort("grpc")
                .endPort()
                .endSpec()
                .build())
        .create();
    client.discovery().v1().endpointSlices().resource(slice("a", portA)).create();
    client.discovery().v1().endpointSlices().resource(slice("b", portB)).create();
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(20), Duration.ofSeconds(1)),
                Optional.of(KubernetesSource.Settings.DEFAULT)),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC(),
            settings -> server.createClient());

    Map<String, Object> bootstrap = GrpcMesh.bootstrap(cp.xdsPort(), "client-1", Map.of());
    resolver = XdsNameResolverProvider.createForTest(SCHEME, bootstrap);
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    channel = Grpc.newChannelBuilder(TARGET, InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (resolver != null) {
      NameResolverRegistry.getDefaultRegistry().deregister(resolver);
    }
    if (cp != null) {
      cp.close();
    }
    for (Server s : backends) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void editingTheEndpointSliceThroughTheApiMovesRealTraffic() {
    // The xDS client's first resolution can take a few seconds on a loaded machine: RPCs failing
    // until then are retried.
    await("both backends serve")
        .atMost(Duration.ofSeconds(40))
        .ignoreExceptions()
        .until(() -> answered(20).size() == 2);

    // b's slice loses its endpoint (edited through the API): every RPC goes to a.
    int portB = backends.get(1).getPort();
    EndpointSlice empty = slice("b", portB);
    empty.setEndpoints(List.of());
    client.discovery().v1().endpointSlices().resource(empty).update();
    await("only a serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> answered(20).equals(Set.of("a")));

    // a's slice is deleted and b's endpoint comes back: every RPC goes to b.
    client.discovery().v1().endpointSlices().resource(slice("b", portB)).update();
    client.discovery().v1().endpointSlices().inNamespace("default").withName("greeter-a").delete();
    await("only b serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> answered(20).equals(Set.of("b")));
  }

  /** Makes {@code n} RPCs (each must succeed) and returns the set of backends that answered. */
  private Set<String> answered(int n) {
    return GrpcMesh.spread(channel, n).keySet();
  }

  private int backend(String name) throws IOException {
    Server server = GrpcMesh.nameServer(name);
    backends.add(server);
    return server.getPort();
  }

  private static EndpointSlice slice(String backend, int port) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("greeter-" + backend)
        .addToLabels("kubernetes.io/service-name", "greeter")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("grpc")
        .withPort(port)
        .endPort()
        .addNewEndpoint()
        .withAddresses("127.0.0.1")
        .withNewConditions()
        .withReady(true)
        .endConditions()
        .endEndpoint()
        .build();
  }
}
