package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RecordingEvents;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway connecting over ADS like Envoy (SotW, wildcard CDS/LDS, RDS by name) receives its
 * listeners, route configs and clusters through the real server, with the PGV validator on, and
 * nothing is refused.
 */
class GatewayAdsTest {
  private final ExecutorService pushExecutor = Executors.newFixedThreadPool(2);
  private final RecordingEvents events = new RecordingEvents();
  private final AdsServer ads =
      new AdsServer(
          new MeshGenerator(new SidecarGenerator(), new GrpcGenerator()),
          new PgvValidator(),
          pushExecutor,
          Clock.systemUTC(),
          events);
  private final String name = InProcessServerBuilder.generateName();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow();
    }
    pushExecutor.shutdownNow();
  }

  @Test
  void routerGetsListenersRoutesAndClustersAndNothingIsRefused() throws Exception {
    MeshFixture fixture =
        MeshFixture.load(Path.of("src/test/resources/golden/gateway-https-redirect"));
    ads.push(new TranslationContext(fixture.snapshot()));
    server = InProcessServerBuilder.forName(name).addService(ads).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    Node node =
        Node.newBuilder()
            .setId(fixture.proxy().nodeId())
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", str("istio-system"))
                    .putFields("INSTANCE_IPS", str("10.244.0.2"))
                    .putFields(
                        "LABELS",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields("istio", str("ingressgateway"))
                                    .putFields("app", str("istio-ingressgateway")))
                            .build()))
            .build();
    try (AdsTestClient client = new AdsTestClient(channel, node)) {
      client.request(XdsType.CLUSTER, List.of());
      DiscoveryResponse cds = client.awaitResponse(0);
      assertThat(cds.getResourcesCount()).isGreaterThan(3);
      client.ack(cds);
      client.request(XdsType.LISTENER, List.of());
      DiscoveryResponse lds = client.awaitResponse(1);
      List<String> listeners = names(lds, Listener.class);
      assertThat(listeners).containsExactly("0.0.0.0_8080", "0.0.0.0_8443");
      client.ack(lds);
      client.request(XdsType.ROUTE, List.of("http.8080", "https.443.https.mygateway.istio-system"));
      DiscoveryResponse rds = client.awaitResponse(2);
      assertThat(names(rds, RouteConfiguration.class))
          .containsExactly("http.8080", "https.443.https.mygateway.istio-system");
    }
    assertThat(events.events()).noneMatch(e -> e.startsWith("rejected"));
    assertThat(events.events()).noneMatch(e -> e.startsWith("invalidNode"));
  }

  private static <T extends com.google.protobuf.Message> List<String> names(
      DiscoveryResponse r, Class<T> type) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (Any a : r.getResourcesList()) {
      T m = a.unpack(type);
      out.add(m instanceof Listener l ? l.getName() : ((RouteConfiguration) m).getName());
    }
    return out;
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
