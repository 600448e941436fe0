package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An Envoy sidecar's view of the real control plane over real gRPC on loopback: the embedded
 * Bookinfo sample, a client speaking the Envoy ADS protocol as productpage's sidecar (CDS and LDS
 * wildcards, then EDS and RDS for what they name, ACKing each). Envoy itself cannot run here, so
 * {@link AdsTestClient} plays its part; what it receives has passed the same protoc-gen-validate
 * rules Envoy applies. Every type must arrive complete, with nothing refused by validation.
 */
class SidecarAdsEndToEndTest {
  private static final String PRODUCTPAGE =
      "sidecar~10.244.1.10~productpage-v1-7d4f9c6b5-x2k8p.default~default.svc.cluster.local";

  @Test
  void productpageSidecarReceivesCompleteValidConfig() throws Exception {
    try (ControlPlane cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(10), Duration.ofSeconds(1))),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC())) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
              .build();
      try (AdsTestClient envoy = new AdsTestClient(channel, AdsTestClient.node(PRODUCTPAGE))) {
        envoy.request(XdsType.CLUSTER, List.of());
        DiscoveryResponse cds = envoy.awaitResponse(0);
        envoy.ack(cds);
        Map<String, com.google.protobuf.Message> clusters = unpack(cds, Cluster.class);
        List<String> edsNames = List.copyOf(XdsDump.edsNames(clusters));
        envoy.request(XdsType.ENDPOINT, edsNames);
        DiscoveryResponse eds = envoy.awaitResponse(1);
        envoy.ack(eds);
        envoy.request(XdsType.LISTENER, List.of());
        DiscoveryResponse lds = envoy.awaitResponse(2);
        envoy.ack(lds);
        List<String> rdsNames = List.copyOf(XdsDump.rdsNames(unpack(lds, Listener.class)));
        envoy.request(XdsType.ROUTE, rdsNames);
        DiscoveryResponse rds = envoy.awaitResponse(3);
        envoy.ack(rds);

        assertThat(clusters)
            .containsKeys(
                "outbound|9080||reviews.default.svc.cluster.local",
                "PassthroughCluster",
                "BlackHoleCluster",
                "inbound|9080||");
        assertThat(edsNames).hasSize(4);
        assertThat(eds.getResourcesCount()).isEqualTo(edsNames.size());
        assertThat(unpack(lds, Listener.class))
            .containsKeys("virtualOutbound", "virtualInbound", "0.0.0.0_9080");
        assertThat(rdsNames).contains("9080");
        assertThat(rds.getResourcesCount()).isEqualTo(rdsNames.size());
        assertThat(cp.metrics().render()).doesNotContain("meshctl_xds_validation_rejects{");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static <T extends com.google.protobuf.Message>
      Map<String, com.google.protobuf.Message> unpack(DiscoveryResponse response, Class<T> type)
          throws InvalidProtocolBufferException {
    Map<String, com.google.protobuf.Message> out = new TreeMap<>();
    for (Any any : response.getResourcesList()) {
      T m = any.unpack(type);
      String name =
          m instanceof Cluster c ? c.getName() : m instanceof Listener l ? l.getName() : "";
      out.put(name, m);
    }
    return out;
  }
}
