package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.names;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.FakeXdsGenerator;
import dev.meshctl.xds.testing.RecordingEvents;
import dev.meshctl.xds.validate.ResourceValidator;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The ADS server over real loopback TCP: an ephemeral port, a served stream, a clean close. */
class XdsGrpcServerTest {

  @Test
  void servesAdsOnAnEphemeralPortAndClosesStreamsOnClose() {
    FakeXdsGenerator generator = new FakeXdsGenerator();
    RecordingEvents events = new RecordingEvents();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    AdsServer ads =
        new AdsServer(generator, ResourceValidator.NONE, executor, Clock.systemUTC(), events);
    ads.push(generator.context(Map.of(CLUSTER, Map.of("a", cluster("a", 1)))));
    ManagedChannel channel = null;
    try (XdsGrpcServer server = XdsGrpcServer.start(0, ads, Duration.ofMillis(200))) {
      assertThat(server.port()).isPositive();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      AdsTestClient client = new AdsTestClient(channel, AdsTestClient.node(NODE_A));
      client.request(CLUSTER, List.of());
      assertThat(names(client.awaitResponse(0))).containsExactly("a");

      server.close();
      // shutdownNow resets the stream (CANCELLED), or the transport goes first (UNAVAILABLE);
      // either way the client sees an error and reconnects.
      assertThat(client.awaitSotwClose().getCode())
          .isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
      await().until(() -> ads.connections().isEmpty());
      await().until(() -> events.of("disconnected").equals(List.of("disconnected " + NODE_A)));
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      executor.shutdownNow();
    }
  }
}
