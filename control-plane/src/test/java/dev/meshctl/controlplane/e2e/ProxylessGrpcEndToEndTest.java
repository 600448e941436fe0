package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The core path end to end with real peers: the control plane (file source, push loop, ADS server,
 * translators, validator) on a temp directory; two real grpc-java servers on loopback as the
 * endpoints of a Service; a real grpc-java xDS client (its own bootstrap, {@code xds:///} target)
 * making RPCs. Editing the YAML moves the traffic; breaking the YAML keeps the last good config.
 * Nothing is faked.
 */
class ProxylessGrpcEndToEndTest {
  private static final String SCHEME = "meshctl-e2e";
  private static final String TARGET = SCHEME + ":///greeter.default.svc.cluster.local:7070";

  @TempDir Path dir;
  private final List<Server> backends = new ArrayList<>();
  private ControlPlane cp;
  private ManagedChannel channel;
  private XdsNameResolverProvider resolver;

  @BeforeEach
  void start() throws IOException {
    int portA = backend("a");
    int portB = backend("b");
    write(
        "service.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: greeter, namespace: default}
        spec:
          clusterIP: 10.96.7.7
          selector: {app: greeter}
          ports: [{name: grpc, port: 7070, targetPort: grpc}]
        """);
    write("endpoints-a.yaml", slice("a", portA));
    write("endpoints-b.yaml", slice("b", portB));
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.of(dir),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(20), Duration.ofSeconds(1))),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC());

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
  void editingTheYamlMovesRealTrafficAndBrokenYamlKeepsTheLastGoodConfig() throws Exception {
    // Both backends answer (round robin over the two EDS endpoints).
    await("both backends serve")
        .atMost(Duration.ofSeconds(30))
        .until(() -> answered(20).size() == 2);

    // Remove b's endpoint: within a bounded wait every RPC goes to a.
    Files.delete(dir.resolve("endpoints-b.yaml"));
    await("only a serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> answered(20).equals(Set.of("a")));

    // Put it back (atomically, as editors and kubectl-style tools do): both again.
    int portB = backends.get(1).getPort();
    Path tmp = dir.resolve(".endpoints-b.yaml.tmp");
    Files.writeString(tmp, slice("b", portB));
    Files.move(tmp, dir.resolve("endpoints-b.yaml"), StandardCopyOption.ATOMIC_MOVE);
    await("both serve again").atMost(Duration.ofSeconds(20)).until(() -> answered(20).size() == 2);

    // Break a's YAML: the error is reported with file and document, and traffic continues on the
    // last good config (both backends still answer, every RPC succeeds).
    write("endpoints-a.yaml", "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n  bad: [\n");
    await("the error is reported")
        .atMost(Duration.ofSeconds(20))
        .until(() -> cp.diagnostics().stream().anyMatch(d -> d.startsWith("endpoints-a.yaml:0 ")));
    assertThat(answered(40)).containsExactlyInAnyOrder("a", "b");

    // What happened is visible on /metrics under Istio's names.
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + cp.monitoringPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("pilot_xds{version=\"unknown\"} 1\n")
        .contains("pilot_xds_pushes{type=\"lds\"} 1\n")
        .contains("pilot_xds_pushes{type=\"rds\"} 1\n")
        .containsPattern("pilot_xds_pushes\\{type=\"eds\"} [3-9]\n");
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

  private static String slice(String backend, int port) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: greeter-%s
          namespace: default
          labels: {kubernetes.io/service-name: greeter}
        addressType: IPv4
        ports: [{name: grpc, port: %d}]
        endpoints:
        - addresses: [127.0.0.1]
          conditions: {ready: true}
        """
        .formatted(backend, port);
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }
}
