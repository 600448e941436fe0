package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Config push scoping with 100 connected Envoy-style sidecars (real ADS streams, wildcard CDS and
 * LDS, RDS by name) in ten namespaces, one service each. One VirtualService edit in {@code ns-3}:
 *
 * <ul>
 *   <li>with a Sidecar {@code ./*} in every namespace, only the ten proxies of {@code ns-3} see the
 *       host, so only they are recomputed ({@code pilot_proxy_convergence_time} counts one
 *       observation per recomputed proxy) and only they receive a response;
 *   <li>without Sidecars, every proxy sees the host and all hundred are recomputed and sent the new
 *       routes.
 * </ul>
 *
 * A barrier request on every stream (answered after anything the push queued there) makes "nothing
 * else" observable without sleeping.
 */
class ConfigPushScopeTest {
  private static final int NAMESPACES = 10;
  private static final int PER_NAMESPACE = 10;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern CONVERGENCE =
      Pattern.compile("(?m)^pilot_proxy_convergence_time_count(?:\\{[^}]*})? (\\S+)$");

  @TempDir Path dir;

  private ControlPlane cp;
  private ManagedChannel channel;
  private final List<AdsTestClient> proxies = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    proxies.forEach(AdsTestClient::close);
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
  }

  @ParameterizedTest(name = "sidecars={0}")
  @ValueSource(booleans = {true, false})
  void aVirtualServiceEditRecomputesOnlyTheProxiesThatSeeItsHost(boolean sidecars)
      throws Exception {
    StringBuilder mesh = new StringBuilder();
    for (int n = 0; n < NAMESPACES; n++) {
      mesh.append(service(n));
      if (sidecars) {
        mesh.append(sidecar(n));
      }
    }
    Files.writeString(dir.resolve("mesh.yaml"), mesh.toString());
    Files.writeString(dir.resolve("vs.yaml"), virtualService("2s"));
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.of(dir),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(20), Duration.ofSeconds(1)),
                Optional.empty()),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC(),
            settings -> {
              throw new AssertionError("no cluster in this test");
            });
    await().atMost(WAIT).until(cp::ready);
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    for (int i = 0; i < NAMESPACES * PER_NAMESPACE; i++) {
      AdsTestClient proxy = new AdsTestClient(channel, node(i));
      proxies.add(proxy);
      proxy.request(XdsType.CLUSTER, List.of());
      proxy.request(XdsType.LISTENER, List.of());
      proxy.request(XdsType.ROUTE, List.of("8080"));
    }
    int[] baseline = new int[proxies.size()];
    for (int i = 0; i < proxies.size(); i++) {
      AdsTestClient proxy = proxies.get(i);
      proxy.awaitResponse(2);
      for (DiscoveryResponse r : proxy.responses()) {
        proxy.ack(r);
      }
      baseline[i] = proxy.responses().size();
      assertThat(baseline[i]).as("responses of proxy %d", i).isEqualTo(3);
    }
    double convergedBefore = convergences();
    long pushesBefore = cp.pushes();

    Files.writeString(dir.resolve("vs.yaml"), virtualService("5s"));

    int reached = sidecars ? PER_NAMESPACE : NAMESPACES * PER_NAMESPACE;
    await().atMost(WAIT).until(() -> cp.pushes() > pushesBefore);
    await().atMost(WAIT).until(() -> convergences() - convergedBefore >= reached);
    // Barrier: a fresh RDS request on every stream is answered after the push's work there.
    for (AdsTestClient proxy : proxies) {
      proxy.request(XdsType.ROUTE, List.of("8080"));
    }
    for (int i = 0; i < proxies.size(); i++) {
      AdsTestClient proxy = proxies.get(i);
      boolean seesHost = !sidecars || i / PER_NAMESPACE == 3;
      int expected = baseline[i] + (seesHost ? 2 : 1);
      proxy.awaitResponse(expected - 1);
      List<DiscoveryResponse> after =
          proxy.responses().subList(baseline[i], proxy.responses().size());
      assertThat(after)
          .as("responses to proxy %d after the edit (push, then the barrier's answer)", i)
          .hasSize(seesHost ? 2 : 1)
          .allMatch(r -> r.getTypeUrl().equals(XdsType.ROUTE.typeUrl()));
      if (seesHost) {
        assertThat(after.get(0).getResources(0).unpack(RouteConfiguration.class).toString())
            .contains("seconds: 5");
      }
    }
    assertThat(convergences() - convergedBefore)
        .as("proxies recomputed for the edit")
        .isEqualTo(reached);
  }

  private double convergences() {
    Matcher m = CONVERGENCE.matcher(cp.metrics().render());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Node node(int i) {
    String ns = "ns-" + (i / PER_NAMESPACE);
    String ip = "10.1." + (i / PER_NAMESPACE) + "." + (i % PER_NAMESPACE + 1);
    return Node.newBuilder()
        .setId("sidecar~" + ip + "~client-" + i + "." + ns + "~" + ns + ".svc.cluster.local")
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue(ns).build())
                .putFields("INSTANCE_IPS", Value.newBuilder().setStringValue(ip).build()))
        .build();
  }

  private static String service(int n) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: s%1$d
          namespace: ns-%1$d
        spec:
          clusterIP: 10.96.0.%2$d
          selector:
            app: s%1$d
          ports:
          - name: http
            port: 8080
        ---
        """
        .formatted(n, n + 1);
  }

  private static String sidecar(int n) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: ns-%d
        spec:
          egress:
          - hosts:
            - "./*"
            - "istio-system/*"
        ---
        """
        .formatted(n);
  }

  private static String virtualService(String timeout) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: s3
          namespace: ns-3
        spec:
          hosts:
          - s3
          http:
          - timeout: %s
            route:
            - destination:
                host: s3
        """
        .formatted(timeout);
  }
}
