package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.endpoints;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.ENDPOINT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import dev.meshctl.xds.server.ProxyConfigDump.TypeDump;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link AdsServer#configDump} regenerates exactly what a connected proxy is served (same
 * resources, same version as the last response), finds the proxy by node id or proxy id, sends
 * nothing, and reports refused resources and generator failures instead of hiding them. Also: ACKs
 * record the acked nonce that {@code /debug/syncz} reports.
 */
class ConfigDumpTest {
  private static final Map<XdsType, Map<String, Message>> CONFIG =
      Map.of(
          CLUSTER, Map.of("a", cluster("a", 1), "b", cluster("b", 2)),
          ENDPOINT, Map.of("a", endpoints("a", "10.0.0.9"), "b", endpoints("b", "10.0.0.8")));

  @Test
  void dumpMatchesWhatWasServedAndSendsNothing() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(CONFIG));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      DiscoveryResponse cds = c.awaitResponse(0);
      c.ack(cds);
      c.request(ENDPOINT, List.of("a"));
      DiscoveryResponse eds = c.awaitResponse(1);
      c.ack(eds);
      await()
          .until(
              () ->
                  h.ads.connections().size() == 1
                      && h.ads
                          .connections()
                          .get(0)
                          .types()
                          .get(ENDPOINT)
                          .syncState()
                          .equals("SYNCED"));

      ProxyConfigDump byNode = h.ads.configDump(NODE_A).orElseThrow();
      ProxyConfigDump byProxyId = h.ads.configDump("a-1.default").orElseThrow();

      assertThat(byProxyId).isEqualTo(byNode);
      assertThat(byNode.proxy().nodeId()).isEqualTo(NODE_A);
      assertThat(byNode.types().keySet()).containsExactly(CLUSTER, ENDPOINT);
      TypeDump clusters = byNode.types().get(CLUSTER);
      assertThat(clusters.subscription()).isEqualTo(Subscription.WILDCARD);
      assertThat(clusters.resources().keySet()).containsExactly("a", "b");
      assertThat(clusters.resources().get("b").message()).isEqualTo(cluster("b", 2));
      assertThat(clusters.version()).isEqualTo(cds.getVersionInfo());
      TypeDump eps = byNode.types().get(ENDPOINT);
      assertThat(eps.resources().keySet()).containsExactly("a");
      assertThat(eps.version()).isEqualTo(eds.getVersionInfo());
      assertThat(byNode.status().types().get(CLUSTER).ackedNonce()).isEqualTo(cds.getNonce());
      assertThat(byNode.status().types().get(ENDPOINT).ackedNonce()).isEqualTo(eds.getNonce());
      assertThat(c.responses()).hasSize(2);
    }
  }

  @Test
  void unknownProxyHasNoDump() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(CONFIG));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      c.awaitResponse(0);
      await().until(() -> h.ads.configDump(NODE_A).isPresent());

      assertThat(h.ads.configDump(NODE_B)).isEmpty();
      assertThat(h.ads.configDump("b-1.default")).isEmpty();
      assertThat(h.ads.configDump("a-1")).isEmpty();
    }
  }

  @Test
  void refusedResourcesAndGeneratorFailuresAreReported() {
    ResourceValidator refuseB =
        m ->
            m instanceof Cluster cl && cl.getName().equals("b")
                ? List.of(new Violation("connect_timeout", "too long"))
                : List.of();
    try (AdsHarness h = new AdsHarness(refuseB)) {
      h.ads.push(h.generator.context(CONFIG));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      c.awaitResponse(0);
      await().until(() -> h.ads.configDump(NODE_A).isPresent());

      TypeDump clusters = h.ads.configDump(NODE_A).orElseThrow().types().get(CLUSTER);
      assertThat(clusters.resources().keySet()).containsExactly("a");
      assertThat(clusters.rejected())
          .containsExactly(Map.entry("b", List.of(new Violation("connect_timeout", "too long"))));
      assertThat(clusters.error()).isEmpty();

      h.generator.failFor(NODE_A);
      TypeDump failed = h.ads.configDump(NODE_A).orElseThrow().types().get(CLUSTER);
      assertThat(failed.resources()).isEmpty();
      assertThat(failed.error())
          .isEqualTo(Optional.of("java.lang.IllegalStateException: fake failure for " + NODE_A));
    }
  }
}
