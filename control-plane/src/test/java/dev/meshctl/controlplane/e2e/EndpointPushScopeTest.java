package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Push scope with 100 connected proxyless gRPC proxies: ten services, ten proxies using each
 * (listener, route, cluster and endpoints of their service only). One endpoint change of service
 * {@code s0} through the API pushes EDS to exactly the ten proxies using it and nothing at all to
 * the other ninety.
 */
@EnableKubernetesMockClient(crud = true)
class EndpointPushScopeTest {
  private static final int SERVICES = 10;
  private static final int PROXIES = 100;
  private static final int PORT = 7070;
  private static final Duration WAIT = Duration.ofSeconds(30);

  KubernetesMockServer server;
  KubernetesClient client;

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

  private static String fqdn(int service) {
    return "s" + service + ".default.svc.cluster.local";
  }

  /** Proxy {@code i} uses service {@code i / 10}: proxies 0-9 use s0. */
  private static int serviceOf(int proxy) {
    return proxy / (PROXIES / SERVICES);
  }

  @Test
  void oneEndpointChangePushesEdsToExactlyTheProxiesUsingThatServiceAndNothingElse()
      throws Exception {
    for (int s = 0; s < SERVICES; s++) {
      client
          .services()
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withNamespace("default")
                  .withName("s" + s)
                  .endMetadata()
                  .withNewSpec()
                  .withClusterIP("10.96.0." + (s + 1))
                  .addToSelector("app", "s" + s)
                  .addNewPort()
                  .withName("grpc")
                  .withPort(PORT)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      client.discovery().v1().endpointSlices().resource(slice(s, "10.0." + s + ".1")).create();
    }
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
    await().atMost(WAIT).until(cp::ready);

    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    for (int i = 0; i < PROXIES; i++) {
      AdsTestClient proxy = new AdsTestClient(channel, node(i));
      proxies.add(proxy);
      String host = fqdn(serviceOf(i));
      String cluster = ResourceNames.outboundCluster(PORT, "", host);
      proxy.request(XdsType.LISTENER, List.of(ResourceNames.hostPort(host, PORT)));
      proxy.request(XdsType.ROUTE, List.of(cluster));
      proxy.request(XdsType.CLUSTER, List.of(cluster));
      proxy.request(XdsType.ENDPOINT, List.of(cluster));
    }
    // Each proxy gets its four types (one resource each) and ACKs them.
    int[] baseline = new int[PROXIES];
    for (int i = 0; i < PROXIES; i++) {
      AdsTestClient proxy = proxies.get(i);
      proxy.awaitResponse(3);
      for (DiscoveryResponse r : proxy.responses()) {
        assertThat(r.getResourcesCount()).as("proxy %d %s", i, r.getTypeUrl()).isEqualTo(1);
        proxy.ack(r);
      }
      baseline[i] = proxy.responses().size();
      assertThat(baseline[i]).as("responses of proxy %d", i).isEqualTo(4);
    }
    double edsBefore = cp.metrics().counter("pilot_xds_pushes", "", "type").value("eds");
    long pushesBefore = cp.pushes();

    // One endpoint change of s0 through the API.
    client.discovery().v1().endpointSlices().resource(slice(0, "10.0.0.1", "10.0.0.2")).update();

    // The push has been handed to every connection, and s0's ten proxies got it.
    await().atMost(WAIT).until(() -> cp.pushes() > pushesBefore);
    for (int i = 0; i < PROXIES / SERVICES; i++) {
      DiscoveryResponse eds = proxies.get(i).awaitResponse(baseline[i]);
      assertThat(eds.getTypeUrl()).isEqualTo(XdsType.ENDPOINT.typeUrl());
      assertThat(
              eds.getResources(0)
                  .unpack(ClusterLoadAssignment.class)
                  .getEndpoints(0)
                  .getLbEndpointsCount())
          .isEqualTo(2);
    }
    // Barrier: a fresh EDS request on every stream is answered after anything the push queued
    // there before, so after its answer no response of the push can still be on its way.
    for (int i = 0; i < PROXIES; i++) {
      String cluster = ResourceNames.outboundCluster(PORT, "", fqdn(serviceOf(i)));
      proxies.get(i).request(XdsType.ENDPOINT, List.of(cluster));
    }
    for (int i = 0; i < PROXIES; i++) {
      AdsTestClient proxy = proxies.get(i);
      boolean usesS0 = serviceOf(i) == 0;
      int expected = baseline[i] + (usesS0 ? 2 : 1);
      proxy.awaitResponse(expected - 1);
      List<DiscoveryResponse> after =
          proxy.responses().subList(baseline[i], proxy.responses().size());
      assertThat(after)
          .as("responses to proxy %d after the change (push, then the barrier's answer)", i)
          .hasSize(usesS0 ? 2 : 1)
          .allMatch(r -> r.getTypeUrl().equals(XdsType.ENDPOINT.typeUrl()));
      if (!usesS0) {
        // The barrier's answer is the EDS the proxy already had.
        assertThat(after.get(0).getVersionInfo())
            .isEqualTo(proxy.responses().get(3).getVersionInfo());
      }
    }
    // On /metrics: 10 pushed EDS responses plus the 100 barrier answers.
    assertThat(cp.metrics().counter("pilot_xds_pushes", "", "type").value("eds") - edsBefore)
        .isEqualTo(PROXIES / SERVICES + PROXIES);
  }

  private static Node node(int i) {
    return Node.newBuilder()
        .setId("sidecar~10.1." + i + ".1~client-" + i + ".default~default.svc.cluster.local")
        .setMetadata(
            Struct.newBuilder()
                .putFields("GENERATOR", Value.newBuilder().setStringValue("grpc").build())
                .putFields("NAMESPACE", Value.newBuilder().setStringValue("default").build()))
        .build();
  }

  private static EndpointSlice slice(int service, String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("s" + service + "-1")
            .addToLabels("kubernetes.io/service-name", "s" + service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("grpc")
            .withPort(PORT)
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
}
