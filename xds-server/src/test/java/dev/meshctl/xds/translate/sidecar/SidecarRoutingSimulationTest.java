package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import org.junit.jupiter.api.Test;

/** Where requests land in the generated config of the golden meshes. */
class SidecarRoutingSimulationTest {
  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";

  private static RouteSimulator sim(String golden) {
    return new RouteSimulator(
        XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(golden))));
  }

  @Test
  void productpageReachesReviewsByShortNameFqdnAndVip() {
    RouteSimulator sim = sim("bookinfo-productpage");
    for (String host :
        new String[] {"reviews:9080", "reviews.default.svc.cluster.local", "10.96.0.11:9080"}) {
      assertThat(sim.outboundHttp("10.96.0.11", 9080, host, "/reviews/0"))
          .as(host)
          .isEqualTo(
              new Result(
                  "0.0.0.0_9080",
                  "",
                  "9080",
                  "reviews.default.svc.cluster.local:9080",
                  "default",
                  REVIEWS,
                  0));
    }
  }

  @Test
  void unknownHostOnAKnownPortPassesThroughUnderAllowAny() {
    Result r = sim("bookinfo-productpage").outboundHttp("93.184.216.34", 9080, "example.com", "/");
    assertThat(r.virtualHost()).isEqualTo("allow_any");
    assertThat(r.cluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void unknownPortPassesThroughVirtualOutbound() {
    Result r = sim("bookinfo-productpage").outboundTcp("93.184.216.34", 5432);
    assertThat(r.listener()).isEqualTo("virtualOutbound");
    assertThat(r.filterChain()).isEqualTo("virtualOutbound-catchall-tcp");
    assertThat(r.cluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void nonHttpBytesOnASharedHttpPortUseThePassthroughChain() {
    Result r = sim("bookinfo-productpage").outboundTcp("10.1.1.1", 9080);
    assertThat(r.listener()).isEqualTo("0.0.0.0_9080");
    assertThat(r.filterChain()).isEqualTo("PassthroughFilterChain");
    assertThat(r.cluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void registryOnlyBlocksUnknownHostsAndPortsButNotKnownServices() {
    RouteSimulator sim = sim("registry-only");
    assertThat(sim.outboundHttp("10.96.2.10", 8000, "httpbin:8000", "/get").cluster())
        .isEqualTo("outbound|8000||httpbin.default.svc.cluster.local");
    Result unknown = sim.outboundHttp("93.184.216.34", 8000, "example.com", "/");
    assertThat(unknown.virtualHost()).isEqualTo("block_all");
    assertThat(unknown.directResponseStatus()).isEqualTo(502);
    assertThat(sim.outboundTcp("93.184.216.34", 443).cluster()).isEqualTo("BlackHoleCluster");
  }

  @Test
  void reviewsV2ServesInbound9080AndPassesUnknownPortsThrough() {
    RouteSimulator sim = sim("bookinfo-reviews-v2");
    assertThat(sim.inboundHttp(9080, "reviews:9080", "/reviews/0"))
        .isEqualTo(
            new Result(
                "virtualInbound",
                "0.0.0.0_9080",
                "inbound|9080||",
                "inbound|http|9080",
                "default",
                "inbound|9080||",
                0));
    Result other = sim.inboundHttp(7777, "x", "/");
    assertThat(other.filterChain()).isEqualTo("virtualInbound-catchall-http");
    assertThat(other.cluster()).isEqualTo("InboundPassthroughCluster");
    assertThat(sim.inboundTcp(7777).filterChain()).isEqualTo("virtualInbound");
    assertThat(sim.inboundTcp(15006).cluster()).isEqualTo("BlackHoleCluster");
  }

  @Test
  void tcpSniffedAndHeadlessPortsLandOnTheirClusters() {
    RouteSimulator sim = sim("tcp-and-autodetect");
    assertThat(sim.outboundTcp("10.96.1.10", 3306))
        .extracting(Result::listener, Result::cluster)
        .containsExactly("10.96.1.10_3306", "outbound|3306||mysql.db.svc.cluster.local");
    String legacy = "outbound|8000||legacy.default.svc.cluster.local";
    Result sniffedHttp = sim.outboundHttp("10.96.1.11", 8000, "legacy:8000", "/");
    assertThat(sniffedHttp.routeConfig()).isEqualTo("legacy.default.svc.cluster.local:8000");
    assertThat(sniffedHttp.cluster()).isEqualTo(legacy);
    assertThat(sim.outboundTcp("10.96.1.11", 8000).cluster()).isEqualTo(legacy);
    assertThat(sim.outboundTcp("10.244.1.20", 9042))
        .extracting(Result::listener, Result::cluster)
        .containsExactly("10.244.1.20_9042", "outbound|9042||cassandra.db.svc.cluster.local");
    // Sniffed inbound port: HTTP goes through the HCM, other bytes through tcp_proxy.
    assertThat(sim.inboundHttp(8080, "legacy", "/").routeConfig()).isEqualTo("inbound|8080||");
    assertThat(sim.inboundTcp(8080).cluster()).isEqualTo("inbound|8080||");
  }

  @Test
  void bareNamesOnlyResolveInTheProxysOwnNamespace() {
    RouteSimulator sim = sim("tcp-and-autodetect"); // proxy in "default", cassandra in "db"
    assertThat(sim.outboundHttp("10.244.1.20", 8081, "cassandra.db:8081", "/").virtualHost())
        .isEqualTo("cassandra.db.svc.cluster.local:8081");
    assertThat(sim.outboundHttp("10.244.1.20", 8081, "cassandra:8081", "/").virtualHost())
        .isEqualTo("allow_any");
  }
}
