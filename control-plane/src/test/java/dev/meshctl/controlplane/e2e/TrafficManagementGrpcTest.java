package dev.meshctl.controlplane.e2e;

import static dev.meshctl.controlplane.e2e.GrpcMesh.call;
import static dev.meshctl.controlplane.e2e.GrpcMesh.failure;
import static dev.meshctl.controlplane.e2e.GrpcMesh.spread;
import static dev.meshctl.controlplane.e2e.GrpcMesh.who;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VirtualService and DestinationRule rules proven with real RPCs: the real control plane on a temp
 * directory, real grpc-java backends whose Pods carry {@code version} labels, and a real grpc-java
 * xDS client. Every rule is in place before the client connects, so the first config it receives
 * already carries it; each assertion is on what the backends actually answered. Statistical
 * assertions use binomial 5-sigma bounds (a false failure about once in 1.7 million runs).
 */
class TrafficManagementGrpcTest {
  static final String SUBSETS =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: greeter, namespace: default}
      spec:
        host: greeter
        subsets:
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
      """;

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
   * v2's share of 400 RPCs is Binomial(400, w/100): 90/10 has mean 40, sigma 6, so 5 sigma gives
   * [10, 70]; 50/50 has mean 200, sigma 10, so [150, 250].
   */
  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({"90, 10, 10, 70", "50, 50, 150, 250"})
  void weightedSplit(int w1, int w2, long min, long max) throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
              - route:
                - destination: {host: greeter, subset: v1}
                  weight: %d
                - destination: {host: greeter, subset: v2}
                  weight: %d
            """
                .formatted(w1, w2)));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    int n = 400;
    Map<String, Long> seen = spread(client, n);
    assertThat(seen.keySet()).containsExactlyInAnyOrder("v1", "v2");
    assertThat(seen.get("v2")).isBetween(min, max);
    assertThat(seen.get("v1") + seen.get("v2")).isEqualTo(n);
  }

  @Test
  void headerMatchSendsJasonToV2AndEveryoneElseToV1() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - headers:
                end-user: {exact: jason}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    Set<String> jason = new TreeSet<>();
    Set<String> others = new TreeSet<>();
    for (int i = 0; i < 30; i++) {
      jason.add(call(client, GrpcMesh.WHO, Map.of("end-user", "jason"), "hi"));
      others.add(call(client, GrpcMesh.WHO, Map.of("end-user", "alice"), "hi"));
      others.add(who(client));
    }
    assertThat(jason).containsExactly("v2");
    assertThat(others).containsExactly("v1");
  }

  /**
   * Istio's regex is RE2 and must match the whole value (Envoy's safe_regex, grpc-java's re2j
   * {@code matches}): the unanchored {@code j.*n} takes {@code jason} and {@code jun} but not
   * {@code xjason} or {@code jasonx}, which a partial (find) match would take.
   */
  @Test
  void regexHeaderMatchMustMatchTheWholeValue() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - headers:
                end-user: {regex: "j.*n"}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    assertThat(versionsFor(client, Map.of("end-user", "jason"))).containsExactly("v2");
    assertThat(versionsFor(client, Map.of("end-user", "jun"))).containsExactly("v2");
    assertThat(versionsFor(client, Map.of("end-user", "xjason"))).containsExactly("v1");
    assertThat(versionsFor(client, Map.of("end-user", "jasonx"))).containsExactly("v1");
    assertThat(versionsFor(client, Map.of())).containsExactly("v1");
  }

  /** {@code headers: {x-canary: {}}} means "present, any value" (Envoy/grpc present_match). */
  @Test
  void emptyHeaderMatchMeansPresentWithAnyValue() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - headers:
                x-canary: {}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    assertThat(versionsFor(client, Map.of("x-canary", "anything"))).containsExactly("v2");
    assertThat(versionsFor(client, Map.of("x-canary", "1"))).containsExactly("v2");
    assertThat(versionsFor(client, Map.of())).containsExactly("v1");
    assertThat(versionsFor(client, Map.of("x-other", "anything"))).containsExactly("v1");
  }

  /** {@code withoutHeaders: {x-canary: {}}} means "absent": the inverse of the presence match. */
  @Test
  void emptyWithoutHeadersMatchMeansAbsent() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - withoutHeaders:
                x-canary: {}
            route:
            - destination: {host: greeter, subset: v1}
          - route:
            - destination: {host: greeter, subset: v2}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    assertThat(versionsFor(client, Map.of())).containsExactly("v1");
    assertThat(versionsFor(client, Map.of("x-other", "anything"))).containsExactly("v1");
    assertThat(versionsFor(client, Map.of("x-canary", "anything"))).containsExactly("v2");
  }

  /**
   * {@code withoutHeaders} with a value inverts the value match for a request that carries the
   * header. For a request without the header an inverted value matcher does not match (only an
   * inverted presence matcher matches a missing header), in grpc-java as in Envoy, so such a
   * request falls through to the next rule. Documented in docs/traffic-management.md; if grpc-java
   * changes this the last assertion fails.
   */
  @Test
  void withoutHeadersValueMatchInvertsForPresentHeadersOnly() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - withoutHeaders:
                end-user: {exact: jason}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    assertThat(versionsFor(client, Map.of("end-user", "alice"))).containsExactly("v2");
    assertThat(versionsFor(client, Map.of("end-user", "jason"))).containsExactly("v1");
    assertThat(versionsFor(client, Map.of())).containsExactly("v1");
  }

  @Test
  void pathPrefixRoutesOneGrpcServiceToV2() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - uri: {prefix: /meshctl.test.Other/}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    Set<String> other = new TreeSet<>();
    Set<String> greeter = new TreeSet<>();
    for (int i = 0; i < 30; i++) {
      other.add(call(client, GrpcMesh.OTHER, Map.of(), "hi"));
      greeter.add(who(client));
    }
    assertThat(other).containsExactly("v2");
    assertThat(greeter).containsExactly("v1");
  }

  @Test
  void subsetSelectsEveryPodWithItsLabelsAndNoOther() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2a", "v2");
    mesh.backend("v2b", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - route:
            - destination: {host: greeter, subset: v2}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    // Round robin over the subset's two endpoints: 40 calls reach both, never v1.
    assertThat(spread(client, 40).keySet()).containsExactlyInAnyOrder("v2a", "v2b");
    assertThat(mesh.callsTo("v1")).isZero();
  }

  @Test
  void sourceLabelsApplyOnlyToMatchingClients() throws IOException {
    mesh.backend("v1", "v1");
    mesh.backend("v2", "v2");
    mesh.write("dr.yaml", SUBSETS);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - sourceLabels: {app: canary-client}
            route:
            - destination: {host: greeter, subset: v2}
          - route:
            - destination: {host: greeter, subset: v1}
        """));
    mesh.start();
    ManagedChannel canary = mesh.client(Map.of("app", "canary-client"));
    ManagedChannel plain = mesh.client(Map.of("app", "plain-client"));

    assertThat(spread(canary, 20).keySet()).containsExactly("v2");
    assertThat(spread(plain, 20).keySet()).containsExactly("v1");
  }

  @Test
  void faultAbortFailsEveryCallWithTheConfiguredStatus() throws IOException {
    mesh.backend("v1", "v1");
    mesh.write(
        "vs.yaml",
        vs(
            """
          - fault:
              abort:
                grpcStatus: PERMISSION_DENIED
                percentage: {value: 100}
            route:
            - destination: {host: greeter}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    for (int i = 0; i < 20; i++) {
      assertThat(failure(client, Map.of(), "hi")).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    // Injected by the client: the backend never saw a call.
    assertThat(mesh.callsTo("v1")).isZero();
  }

  @Test
  void faultAbortHalfOfTheCallsWithAnHttpStatus() throws IOException {
    mesh.backend("v1", "v1");
    mesh.write(
        "vs.yaml",
        vs(
            """
          - fault:
              abort:
                httpStatus: 503
                percentage: {value: 50}
            route:
            - destination: {host: greeter}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    int n = 400;
    int failed = 0;
    for (int i = 0; i < n; i++) {
      try {
        who(client);
      } catch (io.grpc.StatusRuntimeException e) {
        // grpc maps HTTP 503 to UNAVAILABLE (gRFC A33).
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        failed++;
      }
    }
    // Binomial(400, 0.5): mean 200, sigma 10; 5 sigma gives [150, 250].
    assertThat(failed).isBetween(150, 250);
    assertThat(mesh.callsTo("v1")).isEqualTo(n - failed);
  }

  @Test
  void faultDelayHoldsEveryCallAtLeastTheDelay() throws IOException {
    mesh.backend("v1", "v1");
    mesh.write(
        "vs.yaml",
        vs(
            """
          - fault:
              delay:
                fixedDelay: 300ms
                percentage: {value: 100}
            route:
            - destination: {host: greeter}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());
    who(client); // connection set-up out of the way

    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      assertThat(who(client)).isEqualTo("v1");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void routeTimeoutEndsACallToASlowBackendWithDeadlineExceeded() throws IOException {
    mesh.backend("slow", "v1", GrpcMesh.NAME, Duration.ofSeconds(3));
    mesh.write(
        "vs.yaml",
        vs(
            """
          - timeout: 200ms
            route:
            - destination: {host: greeter}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    long start = System.nanoTime();
    assertThat(failure(client, Map.of(), "hi")).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    // The route's 200ms, not the call's own 10s deadline nor the backend's 3s.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void retriesHideABackendThatFailsTheFirstAttempt() throws IOException {
    mesh.backend("flaky", "v1", failFirstAttempt(), Duration.ZERO);
    mesh.write(
        "vs.yaml",
        vs(
            """
          - match:
            - headers:
                retry: {exact: "no"}
            retries: {attempts: 0}
            route:
            - destination: {host: greeter}
          - retries:
              attempts: 2
              retryOn: unavailable
            route:
            - destination: {host: greeter}
        """));
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    for (int i = 0; i < 10; i++) {
      assertThat(call(client, GrpcMesh.WHO, Map.of(), "call-" + i)).isEqualTo("flaky");
    }
    // Two attempts per call reached the backend: the failed one and the retry.
    assertThat(mesh.callsTo("flaky")).isEqualTo(20);
    // Without retries the same backend's first failure reaches the caller.
    assertThat(failure(client, Map.of("retry", "no"), "fresh")).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void ringHashKeepsEachUserOnOneBackend() throws IOException {
    mesh.backend("a", "v1");
    mesh.backend("b", "v1");
    mesh.backend("c", "v1");
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
              consistentHash: {httpHeaderName: x-user}
        """);
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    Set<String> used = new TreeSet<>();
    for (int u = 0; u < 10; u++) {
      Set<String> backends = new TreeSet<>();
      for (int i = 0; i < 15; i++) {
        backends.add(call(client, GrpcMesh.WHO, Map.of("x-user", "user-" + u), "hi"));
      }
      assertThat(backends).as("backends of user-" + u).hasSize(1);
      used.addAll(backends);
    }
    // Hashing spreads users: all ten on one of three backends has probability 3^-9.
    assertThat(used.size()).isGreaterThan(1);
  }

  /**
   * Documents a grpc-java limit: it parses {@code max_requests} (gRFC A32) but counts in-flight
   * calls only for clusters with load reporting ({@code lrs_server}), which Istio never configures,
   * so {@code http2MaxRequests} cannot limit anything and the generator omits it for proxyless
   * clients. With a limit of 1, two concurrent calls both succeed. If grpc-java starts enforcing
   * the limit this test fails: then translate {@code http2MaxRequests} again.
   */
  @Test
  void http2MaxRequestsIsNotEnforcedByGrpcJavaSoItIsOmitted() throws Exception {
    mesh.backend("slow", "v1", GrpcMesh.NAME, Duration.ofMillis(500));
    mesh.write(
        "dr.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: default}
        spec:
          host: greeter
          trafficPolicy:
            connectionPool:
              http: {http2MaxRequests: 1}
        """);
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());
    who(client); // connected, so the next two calls overlap

    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> who(client));
    await().atMost(Duration.ofSeconds(5)).until(() -> mesh.callsTo("slow") == 2);
    assertThat(who(client)).isEqualTo("slow");
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
    assertThat(mesh.callsTo("slow")).isEqualTo(3);
  }

  @Test
  void policiesGrpcCannotHonourAreOmittedSoTheClientKeepsWorking() throws IOException {
    // MAGLEV would make grpc NACK the whole CDS response, and consecutive-error outlier detection
    // is not implemented by grpc (gRFC A50 has only success-rate and failure-percentage
    // ejection): the generator omits both for proxyless clients, which then round-robin.
    mesh.backend("a", "v1");
    mesh.backend("b", "v1");
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
              consistentHash:
                httpHeaderName: x-user
                maglev: {tableSize: 65537}
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 30s
        """);
    mesh.start();
    ManagedChannel client = mesh.client(Map.of());

    assertThat(spread(client, 20).keySet()).containsExactlyInAnyOrder("a", "b");
    assertThat(mesh.diagnostics()).isEmpty();
  }

  private static GrpcMesh.Behaviour failFirstAttempt() {
    return (backend, request, attempt) -> {
      if (attempt == 1) {
        throw Status.UNAVAILABLE.withDescription("first attempt fails").asRuntimeException();
      }
      return backend;
    };
  }

  /** The backends' versions that answered 20 Greeter/Who calls carrying {@code headers}. */
  private static Set<String> versionsFor(ManagedChannel client, Map<String, String> headers) {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(call(client, GrpcMesh.WHO, headers, "hi"));
    }
    return seen;
  }

  /** A VirtualService for the greeter host with these {@code http} rules (indented YAML). */
  private static String vs(String httpRules) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: greeter, namespace: default}
        spec:
          hosts: [greeter]
          http:
        """
        + httpRules.stripTrailing().indent(2);
  }
}
