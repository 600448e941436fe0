package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two independent servers given equal input produce identical responses: same {@code version_info},
 * same resource bytes, same per-resource delta versions, even when map fields were filled in
 * different orders (which plain serialization would turn into different bytes).
 */
class DeterminismTest {

  /** A cluster whose metadata map is filled in the given key order. */
  private static Cluster withMetadata(List<String> keyOrder) {
    Struct.Builder fields = Struct.newBuilder();
    for (String key : keyOrder) {
      fields.putFields(key, Value.newBuilder().setStringValue("value-of-" + key).build());
    }
    return cluster("a", 1).toBuilder()
        .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", fields.build()))
        .build();
  }

  private static Map<XdsType, Map<String, Message>> config(Cluster a) {
    return Map.of(CLUSTER, Map.of("a", a, "b", cluster("b", 3)));
  }

  @Test
  void equalInputGivesIdenticalResponsesOnIndependentServers() {
    List<String> keys = List.of("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8");
    Cluster forward = withMetadata(keys);
    Cluster backward = withMetadata(com.google.common.collect.Lists.reverse(keys));
    assertThat(forward).isEqualTo(backward);
    // Without deterministic serialization the two would differ on the wire: the test has teeth.
    assertThat(forward.toByteString()).isNotEqualTo(backward.toByteString());

    try (AdsHarness one = new AdsHarness();
        AdsHarness two = new AdsHarness()) {
      one.ads.push(one.generator.context(config(forward)));
      two.ads.push(two.generator.context(config(backward)));

      AdsTestClient c1 = one.client(NODE_A);
      AdsTestClient c2 = two.client(NODE_A);
      c1.request(CLUSTER, List.of());
      c2.request(CLUSTER, List.of());
      DiscoveryResponse r1 = c1.awaitResponse(0);
      DiscoveryResponse r2 = c2.awaitResponse(0);
      assertThat(r1.getVersionInfo()).isNotEmpty().isEqualTo(r2.getVersionInfo());
      assertThat(r1.getResources(0).getValue()).isEqualTo(r2.getResources(0).getValue());
      assertThat(r1).isEqualTo(r2);

      c1.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      c2.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      DeltaDiscoveryResponse d1 = c1.awaitDeltaResponse(0);
      DeltaDiscoveryResponse d2 = c2.awaitDeltaResponse(0);
      assertThat(d1).isEqualTo(d2);
      // The delta system version and the SotW version hash the same (name, version) pairs.
      assertThat(d1.getSystemVersionInfo()).isEqualTo(r1.getVersionInfo());
    }
  }
}
