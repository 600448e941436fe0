package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.testing.GatewaySimulator;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Requests to a gateway land where Istio's tasks say they do, through the generated config. */
class GatewaySimulationTest {
  private static GatewaySimulator sim(String golden) {
    return new GatewaySimulator(
        XdsDump.generate(MeshFixture.load(Path.of("src/test/resources/golden", golden))));
  }

  @Test
  void bookinfoProductpageReachesProductpage() {
    Result r = sim("gateway-bookinfo").request(8080, null, "192.168.49.2", "/productpage");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    assertThat(r.routeConfig()).isEqualTo("http.8080");
    assertThat(r.virtualHost()).isEqualTo("*:8080");
    assertThat(r.cluster()).isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
  }

  @Test
  void bookinfoPathOutsideTheVirtualServiceIs404() {
    Result r = sim("gateway-bookinfo").request(8080, null, "192.168.49.2", "/reviews/1");
    assertThat(r.virtualHost()).isEqualTo("*:8080");
    assertThat(r.cluster()).isEmpty();
    assertThat(r.directResponseStatus()).isEqualTo(404);
  }

  @Test
  void httpbinOnServicePort80ListensOnTargetPort8080() {
    Result r = sim("gateway-httpbin").request(8080, null, "httpbin.example.com", "/headers");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    assertThat(r.cluster()).isEqualTo("outbound|8000||httpbin.default.svc.cluster.local");
  }

  @Test
  void unboundHostGets404() {
    Result r = sim("gateway-tls-simple").request(8443, "httpbin.example.com", "other.com", "/");
    assertThat(r.routeConfig()).isEqualTo("https.443.https.mygateway.istio-system");
    assertThat(r.virtualHost()).isEmpty();
    assertThat(r.directResponseStatus()).isEqualTo(404);
  }

  @Test
  void httpsServerRoutesByHostAfterSni() {
    Result r =
        sim("gateway-tls-simple")
            .request(8443, "httpbin.example.com", "httpbin.example.com", "/status/200");
    assertThat(r.virtualHost()).isEqualTo("httpbin.example.com:443");
    assertThat(r.cluster()).isEqualTo("outbound|8000||httpbin.default.svc.cluster.local");
  }

  @Test
  void unknownSniFindsNoChain() {
    Result r =
        sim("gateway-tls-simple").request(8443, "evil.example.com", "httpbin.example.com", "/");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8443");
    assertThat(r.filterChain()).isEmpty();
    assertThat(r.cluster()).isEmpty();
  }

  @Test
  void httpsRedirectAnswers301OnPlainHttpAndRoutesOverTls() {
    GatewaySimulator s = sim("gateway-https-redirect");
    Result plain = s.request(8080, null, "httpbin.example.com", "/status/200");
    assertThat(plain.routeConfig()).isEqualTo("http.8080");
    assertThat(plain.directResponseStatus()).isEqualTo(301);
    assertThat(plain.cluster()).isEmpty();
    Result tls = s.request(8443, "httpbin.example.com", "httpbin.example.com", "/status/200");
    assertThat(tls.directResponseStatus()).isZero();
    assertThat(tls.cluster()).isEqualTo("outbound|8000||httpbin.default.svc.cluster.local");
  }

  @Test
  void passthroughPicksTheChainBySni() {
    GatewaySimulator s = sim("gateway-tls-passthrough");
    Result nginx = s.request(8443, "nginx.example.com", "", "");
    assertThat(nginx.cluster()).isEqualTo("outbound|443||my-nginx.default.svc.cluster.local");
    // other.example.com is a server host no tls route binds: no chain, connection closed.
    assertThat(s.request(8443, "other.example.com", "", "").cluster()).isEmpty();
  }

  @Test
  void autoPassthroughSendsTheConnectionToTheClusterItsSniNames() {
    XdsDump dump =
        XdsDump.generate(
            MeshFixture.load(Path.of("src/test/resources/golden", "gateway-tls-auto-passthrough")));
    GatewaySimulator s = new GatewaySimulator(dump);
    String sni = "outbound_.9080_._.reviews.default.svc.cluster.local";
    Result r = s.request(15443, sni, "", "");
    assertThat(r.listener()).isEqualTo("0.0.0.0_15443");
    assertThat(r.cluster()).isEqualTo(sni);
    // The cluster exists and takes its endpoints from the plain outbound cluster's EDS.
    Cluster c = (Cluster) dump.clusters().get(sni);
    assertThat(c).isNotNull();
    assertThat(c.getEdsClusterConfig().getServiceName())
        .isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(dump.endpoints()).containsKey(c.getEdsClusterConfig().getServiceName());
    // No TLS on the way up: the client's mTLS passes through.
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesList()).isEmpty();
    String subset = "outbound_.9080_.v1_.reviews.default.svc.cluster.local";
    assertThat(s.request(15443, subset, "", "").cluster()).isEqualTo(subset);
    assertThat(dump.clusters()).containsKey(subset);
  }

  @Test
  void autoPassthroughOnlyServesHostsItsServerCovers() {
    XdsDump dump =
        XdsDump.generate(
            MeshFixture.load(Path.of("src/test/resources/golden", "gateway-tls-auto-passthrough")));
    String sni = "outbound_.9080_._.ratings.other.svc.cluster.local";
    // ratings.other is outside *.default.svc.cluster.local: no chain matches, no SNI-DNAT cluster.
    assertThat(new GatewaySimulator(dump).request(15443, sni, "", "").cluster()).isEmpty();
    assertThat(dump.clusters()).doesNotContainKey(sni);
    assertThat(dump.clusters()).containsKey("outbound|9080||ratings.other.svc.cluster.local");
  }

  @Test
  void autoPassthroughForStarDotLocalServesEveryNamespace() throws Exception {
    Path dir = Path.of("src/test/resources/golden", "gateway-tls-auto-passthrough");
    // Istio's cross-network-gateway sample uses hosts ["*.local"].
    String input =
        Files.readString(dir.resolve("input.yaml"))
            .replace("\"*.default.svc.cluster.local\"", "\"*.local\"");
    assertThat(input).contains("\"*.local\"");
    MeshFixture f =
        new MeshFixture(
            MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(input, "star-local")),
            MeshFixture.proxy(Files.readString(dir.resolve("proxy.yaml"))));
    XdsDump dump = XdsDump.generate(f);
    String sni = "outbound_.9080_._.ratings.other.svc.cluster.local";
    assertThat(new GatewaySimulator(dump).request(15443, sni, "", "").cluster()).isEqualTo(sni);
    assertThat(dump.clusters()).containsKey(sni);
  }
}
