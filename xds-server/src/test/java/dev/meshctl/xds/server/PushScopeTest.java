package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.listener;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A scoped push regenerates only what its scope covers: the listed types for everyone, every type
 * for proxies at the listed addresses. (The generator here is the test fake, so a change the scope
 * leaves out really is withheld, which proves the scope is honoured; in production the scope is
 * only narrowed when what it leaves out is unchanged, see {@code EndpointOnlyPushTest}.)
 */
class PushScopeTest {

  private static Map<XdsType, Map<String, Message>> config(int clusterTimeout, int port) {
    return Map.of(
        CLUSTER, Map.of("c", cluster("c", clusterTimeout)),
        LISTENER, Map.of("l", listener("l", port)));
  }

  @Test
  void scopedPushRegeneratesOnlyCoveredTypesAndAddresses() {
    try (AdsHarness h = new AdsHarness()) {
      AdsTestClient a = h.client(NODE_A); // 10.0.0.1
      AdsTestClient b = h.client(NODE_B); // 10.0.0.2
      for (AdsTestClient c : List.of(a, b)) {
        c.request(CLUSTER, List.of());
        c.request(LISTENER, List.of());
      }
      await().until(() -> h.ads.connections().size() == 2);
      h.ads.push(h.generator.context(config(1, 80)));
      for (AdsTestClient c : List.of(a, b)) {
        c.ack(c.awaitResponse(0));
        c.ack(c.awaitResponse(1));
      }

      // Clusters and listeners both change, but the scope covers only LDS for everyone and all
      // types for 10.0.0.2: a gets only the listener, b gets both.
      h.ads.push(
          h.generator.context(config(2, 81)),
          new PushScope(EnumSet.of(LISTENER), Set.of("10.0.0.2")));
      assertThat(a.awaitResponse(2).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(b.awaitResponse(2).getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(b.awaitResponse(3).getTypeUrl()).isEqualTo(LISTENER.typeUrl());

      // A later full push catches a up on what the narrow one left out.
      h.ads.push(h.generator.context(config(2, 81)));
      assertThat(a.awaitResponse(3).getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
    }
  }

  @Test
  void unionCoversBothAndAllAbsorbsEverything() {
    PushScope eds = PushScope.endpoints(Set.of("10.0.0.1"));
    PushScope lds = new PushScope(EnumSet.of(LISTENER), Set.of("10.0.0.2"));
    PushScope both = eds.union(lds);
    assertThat(both.types()).containsExactlyInAnyOrder(XdsType.ENDPOINT, LISTENER);
    assertThat(both.fullForAddresses()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
    assertThat(eds.union(PushScope.ALL)).isEqualTo(PushScope.ALL);
    assertThat(PushScope.ALL.union(eds)).isSameAs(PushScope.ALL);
  }
}
