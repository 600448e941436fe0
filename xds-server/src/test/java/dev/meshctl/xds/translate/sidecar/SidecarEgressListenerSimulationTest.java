package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import org.junit.jupiter.api.Test;

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
}
