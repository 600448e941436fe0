package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sidecar egress listeners with a port own that port: only their hosts are served there. */
class SidecarEgressListenerSimulationTest {
  private static XdsDump dump(String golden) {
    return XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(golden)));
  }

  @Test
  void theImportedHostLandsOnThePortListenerAndRouteTheOtherDoesNot() {
    RouteSimulator sim = new RouteSimulator(dump("sidecar-egress-port"));
    Result reviews = sim.outboundHttp("10.96.0.11", 9080, "reviews:9080", "/reviews/0");
    assertThat(reviews.listener()).isEqualTo("0.0.0.0_9080");
    assertThat(reviews.routeConfig()).isEqualTo("9080");
    assertThat(reviews.cluster()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    // productpage also has port 9080, but the 9080 egress listener does not import it.
    Result productpage = sim.outboundHttp("10.96.0.10", 9080, "productpage:9080", "/");
    assertThat(productpage.virtualHost()).isEqualTo("allow_any");
    assertThat(productpage.cluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void captureModeNoneWithABindListensOnARealSocket() {
    Listener bound =
        dump("sidecar-egress-bind").listenerList().stream()
            .filter(l -> l.getName().equals("127.0.0.1_9080"))
            .findFirst()
            .orElseThrow();
    assertThat(bound.getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(bound.hasBindToPort()).as("bind_to_port left at Envoy's default, true").isFalse();
    assertThat(XdsDump.connectionManagers(bound).get(0).getRds().getRouteConfigName())
        .isEqualTo("9080");
  }

  @Test
  void withoutACatchAllListenerOnlyThePortListenersAreBuilt(@TempDir Path dir) throws IOException {
    // The bind case minus its catch-all egress listener: Istio builds listeners only from the
    // egress listeners there are, so no 0.0.0.0_9080 (the catch-all's) and no productpage routes.
    Path golden = SidecarGoldenTest.ROOT.resolve("sidecar-egress-bind");
    String input = Files.readString(golden.resolve("input.yaml"));
    String withoutCatchAll = input.replace("  - hosts: [\"*/*\"]\n", "");
    assertThat(withoutCatchAll).isNotEqualTo(input);
    Files.writeString(dir.resolve("input.yaml"), withoutCatchAll);
    Files.copy(golden.resolve("proxy.yaml"), dir.resolve("proxy.yaml"));
    XdsDump dump = XdsDump.generate(MeshFixture.load(dir));
    assertThat(dump.listenerList().stream().map(Listener::getName))
        .containsExactly("127.0.0.1_9080", "virtualInbound", "virtualOutbound");
    assertThat(dump.routeConfigs().get("9080").getVirtualHostsList().stream().map(v -> v.getName()))
        .containsExactly("reviews.default.svc.cluster.local:9080", "allow_any");
  }
}
