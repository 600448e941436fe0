package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.endpoints;
import static dev.meshctl.xds.server.AdsHarness.listener;
import static dev.meshctl.xds.server.AdsHarness.names;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.ENDPOINT;
import static dev.meshctl.xds.translate.XdsType.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.server.ConnectionStatus.TypeStatus;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * State-of-the-world ADS over a real in-process gRPC transport: subscriptions, ACKs, pushes that
 * send only what changed, held requests before the first push, error isolation and cleanup.
 *
 * <p>"Nothing was sent" is proven without sleeping: a stream's pushes go out in CDS, EDS, LDS
 * order, so when a push also changes a listener, an LDS response arriving next means no CDS or EDS
 * response was sent before it.
 */
class SotwAdsServerTest {

  private static Map<XdsType, Map<String, Message>> config(int clusterATimeout, int listenerPort) {
    return Map.of(
        CLUSTER,
        Map.of("a", cluster("a", clusterATimeout), "b", cluster("b", 1)),
        ENDPOINT,
        Map.of("a", endpoints("a", "10.1.1.1"), "b", endpoints("b", "10.1.1.2")),
        LISTENER,
        Map.of("l1", listener("l1", listenerPort)));
  }

  @Test
  void wildcardCdsAndEdsByName_thenPushSendsOnlyChangedTypes() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient c = h.client(NODE_A);

      c.request(CLUSTER, List.of());
      DiscoveryResponse cds = c.awaitResponse(0);
      assertThat(cds.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(names(cds)).containsExactly("a", "b");
      assertThat(cds.getResources(0).unpack(Cluster.class)).isEqualTo(cluster("a", 1));
      assertThat(cds.getVersionInfo()).isNotEmpty();
      c.ack(cds);

      c.request(ENDPOINT, List.of("a"));
      DiscoveryResponse eds = c.awaitResponse(1);
      assertThat(eds.getTypeUrl()).isEqualTo(ENDPOINT.typeUrl());
      assertThat(names(eds)).containsExactly("a");
      assertThat(eds.getNonce()).isNotEqualTo(cds.getNonce());
      c.ack(eds);

      c.request(LISTENER, List.of());
      DiscoveryResponse lds = c.awaitResponse(2);
      c.ack(lds);

      await()
          .untilAsserted(
              () -> {
                ConnectionStatus s = h.ads.connections().get(0);
                assertThat(s.nodeId()).isEqualTo(NODE_A);
                assertThat(s.delta()).isFalse();
                assertThat(s.types().keySet()).containsExactly(CLUSTER, ENDPOINT, LISTENER);
                TypeStatus cdsStatus = s.types().get(CLUSTER);
                assertThat(cdsStatus.subscription()).isEqualTo(Subscription.WILDCARD);
                assertThat(cdsStatus.sentVersion()).isEqualTo(cds.getVersionInfo());
                assertThat(cdsStatus.sentNonce()).isEqualTo(cds.getNonce());
                assertThat(cdsStatus.ackedVersion()).isEqualTo(cds.getVersionInfo());
                assertThat(cdsStatus.syncState()).isEqualTo("SYNCED");
                assertThat(s.types().get(ENDPOINT).subscription())
                    .isEqualTo(Subscription.names(java.util.Set.of("a")));
              });

      // Equal (not identical) CDS and EDS, changed LDS: only LDS goes out.
      h.ads.push(h.generator.context(config(1, 81)));
      DiscoveryResponse lds2 = c.awaitResponse(3);
      assertThat(lds2.getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(lds2.getVersionInfo()).isNotEqualTo(lds.getVersionInfo());
      c.ack(lds2);

      // Cluster a changes (and LDS, as the marker): new CDS version, still no EDS.
      h.ads.push(h.generator.context(config(2, 82)));
      DiscoveryResponse cds2 = c.awaitResponse(4);
      assertThat(cds2.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(cds2.getVersionInfo()).isNotEqualTo(cds.getVersionInfo());
      assertThat(cds2.getResources(0).unpack(Cluster.class)).isEqualTo(cluster("a", 2));
      assertThat(c.awaitResponse(5).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(c.responses()).hasSize(6);
    }
  }

  @Test
  void ackWithChangedNamesIsAResubscription() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient c = h.client(NODE_A);
      c.request(ENDPOINT, List.of("a"));
      DiscoveryResponse first = c.awaitResponse(0);
      assertThat(names(first)).containsExactly("a");

      c.ack(first, List.of("a", "b"));
      DiscoveryResponse second = c.awaitResponse(1);
      assertThat(names(second)).containsExactly("a", "b");
      assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    }
  }

  @Test
  void requestsBeforeTheFirstPushAreHeldAndAnsweredByIt() {
    try (AdsHarness h = new AdsHarness()) {
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      await()
          .untilAsserted(
              () ->
                  assertThat(h.ads.connections())
                      .singleElement()
                      .satisfies(
                          s ->
                              assertThat(s.types().get(CLUSTER).syncState())
                                  .isEqualTo("NOT SENT")));
      assertThat(c.responses()).isEmpty();

      h.ads.push(h.generator.context(config(1, 80)));
      assertThat(names(c.awaitResponse(0))).containsExactly("a", "b");
    }
  }

  @Test
  void generationFailureForOneProxyDoesNotAffectAnother() {
    try (AdsHarness h = new AdsHarness()) {
      h.generator.failFor(NODE_B);
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient broken = h.client(NODE_B);
      broken.request(CLUSTER, List.of());
      await()
          .until(
              () ->
                  h.events
                      .of("generationFailed")
                      .contains("generationFailed " + NODE_B + " cds: fake failure for " + NODE_B));

      AdsTestClient healthy = h.client(NODE_A);
      healthy.request(CLUSTER, List.of());
      assertThat(names(healthy.awaitResponse(0))).containsExactly("a", "b");
      h.ads.push(h.generator.context(config(2, 80)));
      assertThat(healthy.awaitResponse(1).getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(broken.responses()).isEmpty();
      await().until(() -> h.ads.connections().size() == 2);
    }
  }

  @Test
  void clientDisconnectRemovesTheConnection() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      c.awaitResponse(0);
      // Status is published right after the task that sent the response.
      await().until(() -> h.ads.connections().size() == 1);

      c.close();
      await().until(() -> h.ads.connections().isEmpty());
      assertThat(h.events.of("connected")).containsExactly("connected " + NODE_A);
      await().until(() -> h.events.of("disconnected").equals(List.of("disconnected " + NODE_A)));
    }
  }
}
