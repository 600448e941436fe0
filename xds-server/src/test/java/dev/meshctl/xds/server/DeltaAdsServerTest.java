package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.endpoints;
import static dev.meshctl.xds.server.AdsHarness.listener;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.ENDPOINT;
import static dev.meshctl.xds.translate.XdsType.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Incremental ADS: only added or changed resources are sent, removals arrive as {@code
 * removed_resources}, {@code initial_resource_versions} prevents resends after a reconnect,
 * unsubscribing stops updates, and a NACKed resource is not resent until it changes. As in the SotW
 * tests, a changed listener is the marker that proves earlier types sent nothing.
 */
class DeltaAdsServerTest {

  /** Clusters by name with their connect timeouts, endpoints by cluster with their IPs. */
  private static Map<XdsType, Map<String, Message>> config(
      Map<String, Integer> clusters, Map<String, String> endpointIps, int listenerPort) {
    Map<String, Message> cds = new TreeMap<>();
    clusters.forEach((name, timeout) -> cds.put(name, cluster(name, timeout)));
    Map<String, Message> eds = new TreeMap<>();
    endpointIps.forEach((name, ip) -> eds.put(name, endpoints(name, ip)));
    return Map.of(
        CLUSTER, cds, ENDPOINT, eds, LISTENER, Map.of("l1", listener("l1", listenerPort)));
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Resource res : r.getResourcesList()) {
      out.put(res.getName(), res.getVersion());
    }
    return out;
  }

  @Test
  void addedAndRemovedClustersArriveAsDeltas() throws Exception {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(Map.of("a", 1, "b", 1, "c", 1), Map.of(), 80)));
      AdsTestClient c = h.client(NODE_A);
      c.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      DeltaDiscoveryResponse first = c.awaitDeltaResponse(0);
      assertThat(first.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(versions(first).keySet()).containsExactly("a", "b", "c");
      assertThat(first.getResources(0).getResource().unpack(Cluster.class))
          .isEqualTo(cluster("a", 1));
      assertThat(first.getRemovedResourcesList()).isEmpty();
      c.deltaAck(first);

      // b disappears from the mesh, c changes, d is new; a is unchanged and not resent.
      h.ads.push(h.generator.context(config(Map.of("a", 1, "c", 2, "d", 1), Map.of(), 80)));
      DeltaDiscoveryResponse second = c.awaitDeltaResponse(1);
      assertThat(versions(second).keySet()).containsExactly("c", "d");
      assertThat(versions(second).get("c")).isNotEqualTo(versions(first).get("c"));
      assertThat(second.getRemovedResourcesList()).containsExactly("b");
      assertThat(second.getSystemVersionInfo()).isNotEqualTo(first.getSystemVersionInfo());
      c.deltaAck(second);
      await()
          .untilAsserted(
              () ->
                  assertThat(h.ads.connections().get(0).types().get(CLUSTER).syncState())
                      .isEqualTo("SYNCED"));
      assertThat(h.ads.connections().get(0).delta()).isTrue();
    }
  }

  @Test
  void initialResourceVersionsAvoidResendingWhatTheClientHas() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(Map.of("a", 1, "b", 1), Map.of(), 80)));
      AdsTestClient before = h.client(NODE_A);
      before.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      Map<String, String> held = versions(before.awaitDeltaResponse(0));

      // A reconnecting client holds a at the current version, b at an old one, and "gone", which
      // the mesh no longer has.
      AdsTestClient reconnected = h.client(NODE_B);
      reconnected.deltaRequest(
          CLUSTER,
          List.of(),
          List.of(),
          Map.of("a", held.get("a"), "b", "old-version", "gone", "v1"));
      DeltaDiscoveryResponse r = reconnected.awaitDeltaResponse(0);
      assertThat(versions(r)).containsExactly(Map.entry("b", held.get("b")));
      assertThat(r.getRemovedResourcesList()).containsExactly("gone");
    }
  }

  @Test
  void subscribeAndUnsubscribeEndpointsByName() {
    try (AdsHarness h = new AdsHarness()) {
      Map<String, String> ips = Map.of("a", "10.0.0.1", "b", "10.0.0.2");
      h.ads.push(h.generator.context(config(Map.of(), ips, 80)));
      AdsTestClient c = h.client(NODE_A);
      c.deltaRequest(ENDPOINT, List.of("a", "b", "missing"), List.of(), Map.of());
      DeltaDiscoveryResponse eds = c.awaitDeltaResponse(0);
      assertThat(versions(eds).keySet()).containsExactly("a", "b");
      // A subscribed name that does not exist is reported removed, so the client stops waiting.
      assertThat(eds.getRemovedResourcesList()).containsExactly("missing");
      c.deltaAck(eds);
      c.deltaRequest(LISTENER, List.of(), List.of(), Map.of());
      c.deltaAck(c.awaitDeltaResponse(1));

      // Unsubscribing needs no answer; a later change to b is not sent, nor its removal.
      c.deltaRequest(ENDPOINT, List.of(), List.of("b"), Map.of());
      // Pushes do not wait for requests in flight: wait until the server has applied it.
      await()
          .until(
              () ->
                  h.ads
                      .connections()
                      .get(0)
                      .types()
                      .get(ENDPOINT)
                      .subscription()
                      .equals(Subscription.names(Set.of("a", "missing"))));
      h.ads.push(
          h.generator.context(config(Map.of(), Map.of("a", "10.0.0.1", "b", "10.0.0.9"), 81)));
      DeltaDiscoveryResponse marker = c.awaitDeltaResponse(2);
      assertThat(marker.getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      c.deltaAck(marker);

      // a disappears: a removal, and nothing else.
      h.ads.push(h.generator.context(config(Map.of(), Map.of(), 81)));
      DeltaDiscoveryResponse removal = c.awaitDeltaResponse(3);
      assertThat(removal.getTypeUrl()).isEqualTo(ENDPOINT.typeUrl());
      assertThat(removal.getResourcesList()).isEmpty();
      assertThat(removal.getRemovedResourcesList()).containsExactly("a");
    }
  }

  @Test
  void nackedResourceIsNotResentUntilItChanges() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(Map.of("a", 1), Map.of(), 80)));
      AdsTestClient c = h.client(NODE_A);
      c.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      DeltaDiscoveryResponse cds = c.awaitDeltaResponse(0);
      c.deltaRequest(LISTENER, List.of(), List.of(), Map.of());
      c.deltaAck(c.awaitDeltaResponse(1));
      c.deltaNack(cds, "bad cluster a");
      await()
          .until(
              () ->
                  h.events
                      .of("nacked")
                      .equals(
                          List.of(
                              "nacked "
                                  + NODE_A
                                  + " cds "
                                  + cds.getSystemVersionInfo()
                                  + ": bad cluster a")));

      for (int i = 0; i < 3; i++) {
        h.ads.push(h.generator.context(config(Map.of("a", 1), Map.of(), 81 + i)));
        DeltaDiscoveryResponse marker = c.awaitDeltaResponse(2 + i);
        assertThat(marker.getTypeUrl()).isEqualTo(LISTENER.typeUrl());
        c.deltaAck(marker);
      }
      h.ads.push(h.generator.context(config(Map.of("a", 2), Map.of(), 84)));
      DeltaDiscoveryResponse fixed = c.awaitDeltaResponse(5);
      assertThat(fixed.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(fixed.getResources(0).getName()).isEqualTo("a");
      assertThat(c.awaitDeltaResponse(6).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(c.deltaResponses()).hasSize(7);
    }
  }
}
