package dev.meshctl.controlplane.e2e;

import static dev.meshctl.controlplane.e2e.GrpcMesh.spread;
import static dev.meshctl.controlplane.e2e.GrpcMesh.who;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule {@code localityLbSetting} proven with real RPCs: the real control plane on a temp
 * directory, real grpc-java backends whose Pods carry Istio's {@code istio-locality} label, and
 * real grpc-java xDS clients whose bootstrap node names their locality (the client's pod is not in
 * the registry, so the node's locality is what the control plane uses). gRPC honours EDS priorities
 * (it fails over when a priority has no ready endpoint) and locality weights, so what each backend
 * answers shows the assignment each client received. Statistical assertions use binomial 5-sigma
 * bounds.
 */
class LocalityLoadBalancingGrpcTest {
  static final Map<String, String> US_EAST_1A = Map.of("region", "us-east", "zone", "us-east-1a");
  static final Map<String, String> EU_WEST_1A = Map.of("region", "eu-west", "zone", "eu-west-1a");

  @TempDir Path dir;
  private GrpcMesh mesh;

  @BeforeEach
  void setUp() throws IOException {
    mesh = new GrpcMesh(dir);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    mesh.close();
  }

  /**
   * With outlier detection, Istio's default locality setting puts the client's own zone at priority
   * 0 and the other region below it: every call goes to the near backend until it stops, then to
   * the far one.
   */
  @Test
  void failoverKeepsCallsInTheClientsZoneAndFailsOverWhenItGoes() throws Exception {
    Server near = mesh.backend("near", "v1", Map.of("istio-locality", "us-east.us-east-1a"));
    mesh.backend("far", "v1", Map.of("istio-locality", "eu-west.eu-west-1a"));
    mesh.write(
        "dr.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: default}
        spec:
          host: greeter
          trafficPolicy:
            outlierDetection: {consecutive5xxErrors: 1}
        """);
    mesh.start();
    ManagedChannel east = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, US_EAST_1A);
    ManagedChannel eu = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, EU_WEST_1A);

    assertThat(spread(east, 60)).containsExactly(Map.entry("near", 60L));
    assertThat(spread(eu, 60)).containsExactly(Map.entry("far", 60L));

    near.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(who(east)).isEqualTo("far"));
    assertThat(spread(east, 20)).containsExactly(Map.entry("far", 20L));
  }

  /**
   * The control for the test above: without outlier detection there is no failover, so both
   * localities share priority 0 and the client spreads its calls over both (each Binomial(200,
   * 1/2): mean 100, sigma 7.1, 5 sigma [65, 135]).
   */
  @Test
  void withoutOutlierDetectionBothLocalitiesServe() throws Exception {
    mesh.backend("near", "v1", Map.of("istio-locality", "us-east.us-east-1a"));
    mesh.backend("far", "v1", Map.of("istio-locality", "eu-west.eu-west-1a"));
    mesh.start();
    ManagedChannel east = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, US_EAST_1A);

    Map<String, Long> seen = spread(east, 200);
    assertThat(seen.keySet()).containsExactlyInAnyOrder("near", "far");
    assertThat(seen.get("far")).isBetween(65L, 135L);
  }

  /**
   * {@code distribute} from {@code us-east/*}: 80% to us-east-1a, 20% to us-west. The far share of
   * 400 calls is Binomial(400, 0.2): mean 80, sigma 8, 5 sigma [40, 120] (an even split, mean 200,
   * is far outside). A client in eu-west matches no rule and splits evenly ([150, 250]).
   */
  @Test
  void distributeWeightsLocalitiesForClientsItNames() throws Exception {
    mesh.backend("east", "v1", Map.of("istio-locality", "us-east.us-east-1a"));
    mesh.backend("west", "v1", Map.of("istio-locality", "us-west.us-west-2a"));
    mesh.write(
        "dr.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: default}
        spec:
          host: greeter
          trafficPolicy:
            loadBalancer:
              localityLbSetting:
                distribute:
                - from: us-east/*
                  to:
                    "us-east/us-east-1a": 80
                    "us-west/*": 20
        """);
    mesh.start();
    ManagedChannel eastClient = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, US_EAST_1A);
    ManagedChannel euClient = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, EU_WEST_1A);

    Map<String, Long> fromEast = spread(eastClient, 400);
    assertThat(fromEast.keySet()).containsExactlyInAnyOrder("east", "west");
    assertThat(fromEast.get("west")).isBetween(40L, 120L);

    Map<String, Long> fromEu = spread(euClient, 400);
    assertThat(fromEu.keySet()).containsExactlyInAnyOrder("east", "west");
    assertThat(fromEu.get("west")).isBetween(150L, 250L);
    assertThat(mesh.diagnostics()).isEmpty();
  }

  /**
   * Kubernetes' {@code trafficDistribution: PreferClose} needs no DestinationRule and no outlier
   * detection: the client's zone is priority 0, so every call stays there.
   */
  @Test
  void preferCloseKeepsCallsInTheClientsZoneWithoutADestinationRule() throws Exception {
    mesh.write(
        "service.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: greeter, namespace: default}
        spec:
          clusterIP: 10.96.7.7
          trafficDistribution: PreferClose
          selector: {app: greeter}
          ports: [{name: grpc, port: %d, targetPort: grpc}]
        """
            .formatted(GrpcMesh.PORT));
    mesh.backend("near", "v1", Map.of("istio-locality", "us-east.us-east-1a"));
    mesh.backend("far", "v1", Map.of("istio-locality", "eu-west.eu-west-1a"));
    mesh.start();
    ManagedChannel east = mesh.client(Map.of(), GrpcMesh.TARGET_HOST, US_EAST_1A);

    assertThat(spread(east, 60)).containsExactly(Map.entry("near", 60L));
    assertThat(mesh.diagnostics()).isEmpty();
  }
}
