package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.GatewaySimulator;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Istio's egress gateway pattern (golden cases {@code egress-sidecar} and {@code gateway-egress},
 * one mesh seen by the sleep sidecar and by the egress gateway): the sidecar sends traffic for the
 * ServiceEntry host edition.cnn.com to the egress gateway's {@code cnn} subset, the egress gateway
 * sends it to the external host, and under {@code REGISTRY_ONLY} any other host is refused.
 */
class EgressGatewaySimulationTest {
  private static final String CNN_IP = "151.101.1.67";
  private static final String TO_EGRESS_80 =
      "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local";
  private static final String TO_EGRESS_443 =
      "outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local";

  private static XdsDump dump(String golden) {
    return XdsDump.generate(MeshFixture.load(GatewayGoldenTest.ROOT.resolve(golden)));
  }

  @Test
  void sidecarSendsHttpForTheExternalHostToTheEgressGateway() {
    Result r =
        new RouteSimulator(dump("egress-sidecar"))
            .outboundHttp(CNN_IP, 80, "edition.cnn.com", "/politics");
    assertThat(r.listener()).isEqualTo("0.0.0.0_80");
    assertThat(r.routeConfig()).isEqualTo("80");
    assertThat(r.virtualHost()).isEqualTo("edition.cnn.com:80");
    assertThat(r.cluster()).isEqualTo(TO_EGRESS_80);
  }

  @Test
  void sidecarSendsTlsForTheExternalHostToTheEgressGatewayBySni() {
    Result r =
        new RouteSimulator(dump("egress-sidecar")).outboundTls(CNN_IP, 443, "edition.cnn.com");
    assertThat(r.listener()).isEqualTo("0.0.0.0_443");
    assertThat(r.cluster()).isEqualTo(TO_EGRESS_443);
  }

  @Test
  void theEgressSubsetClustersExistOnTheSidecarOnly() {
    // The DestinationRule lives in default: visible to the sleep sidecar (its namespace) but not
    // to the gateway in istio-system, which never routes to its own Service anyway.
    assertThat(dump("egress-sidecar").clusters()).containsKeys(TO_EGRESS_80, TO_EGRESS_443);
    assertThat(dump("gateway-egress").clusters())
        .doesNotContainKeys(TO_EGRESS_80, TO_EGRESS_443)
        .containsKeys("outbound|80||edition.cnn.com", "outbound|443||edition.cnn.com");
  }

  @Test
  void theEgressSubsetHasTheGatewayPodAsEndpoint() {
    // The subset is defined in default, not in the gateway Service's namespace: EDS must still
    // find it, or the sidecar's route would end in a cluster with no endpoints (503).
    String eds = dump("egress-sidecar").printed().get("eds");
    assertThat(eds)
        .contains("cluster_name: " + TO_EGRESS_80 + "\nendpoints:")
        .contains("cluster_name: " + TO_EGRESS_443 + "\nendpoints:");
    assertThat(eds.split("cluster_name: ")[3])
        .startsWith(TO_EGRESS_80)
        .contains("address: 10.244.0.3")
        .contains("port_value: 8080");
  }

  @Test
  void registryOnlyRefusesUnknownHostsButNotTheServiceEntryHost() {
    RouteSimulator sim = new RouteSimulator(dump("egress-sidecar"));
    Result unknown = sim.outboundHttp("93.184.216.34", 80, "example.com", "/");
    assertThat(unknown.virtualHost()).isEqualTo("block_all");
    assertThat(unknown.directResponseStatus()).isEqualTo(502);
    assertThat(sim.outboundTcp("93.184.216.34", 8443).cluster()).isEqualTo("BlackHoleCluster");
    // TLS to an unknown SNI matches no chain on 0.0.0.0_443: Envoy closes the connection.
    assertThat(sim.outboundTls("93.184.216.34", 443, "example.com").cluster()).isEmpty();
    assertThat(sim.outboundHttp(CNN_IP, 80, "edition.cnn.com", "/").cluster())
        .isEqualTo(TO_EGRESS_80);
  }

  @Test
  void egressGatewaySendsHttpToTheExternalHost() {
    GatewaySimulator gw = new GatewaySimulator(dump("gateway-egress"));
    // Gateway port 80 is the egress Service's port 80, target port 8080.
    Result r = gw.request(8080, null, "edition.cnn.com", "/politics");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    assertThat(r.routeConfig()).isEqualTo("http.8080");
    assertThat(r.virtualHost()).isEqualTo("edition.cnn.com:80");
    assertThat(r.cluster()).isEqualTo("outbound|80||edition.cnn.com");
    assertThat(gw.request(8080, null, "example.com", "/").directResponseStatus()).isEqualTo(404);
  }

  @Test
  void egressGatewayPassesTlsThroughToTheExternalHost() {
    GatewaySimulator gw = new GatewaySimulator(dump("gateway-egress"));
    Result r = gw.request(8443, "edition.cnn.com", "", "");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8443");
    assertThat(r.cluster()).isEqualTo("outbound|443||edition.cnn.com");
    assertThat(gw.request(8443, "example.com", "", "").cluster()).isEmpty();
  }

  @Test
  void theExternalClusterResolvesTheHostByDns() {
    XdsDump gw = dump("gateway-egress");
    assertThat(gw.printed().get("cds"))
        .contains("name: outbound|80||edition.cnn.com\ntype: STRICT_DNS")
        .contains("address: edition.cnn.com");
  }

  @Test
  void aSidecarResourcesRegistryOnlyPolicyDoesTheSameOnAnAllowAnyMesh() throws Exception {
    Path dir = GatewayGoldenTest.ROOT.resolve("egress-sidecar");
    String sidecar =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: default
        spec:
          outboundTrafficPolicy:
            mode: REGISTRY_ONLY
        """;
    String input = Files.readString(dir.resolve("input.yaml"));
    Proxy proxy = MeshFixture.proxy(Files.readString(dir.resolve("proxy.yaml")));
    MeshSnapshot allowAny =
        MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(input, "egress"));
    MeshSnapshot withSidecar =
        MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(input + sidecar, "egress"));

    RouteSimulator open = new RouteSimulator(XdsDump.generate(new MeshFixture(allowAny, proxy)));
    assertThat(open.outboundHttp("93.184.216.34", 80, "example.com", "/").cluster())
        .isEqualTo("PassthroughCluster");

    RouteSimulator closed =
        new RouteSimulator(XdsDump.generate(new MeshFixture(withSidecar, proxy)));
    Result unknown = closed.outboundHttp("93.184.216.34", 80, "example.com", "/");
    assertThat(unknown.virtualHost()).isEqualTo("block_all");
    assertThat(unknown.directResponseStatus()).isEqualTo(502);
    assertThat(closed.outboundHttp(CNN_IP, 80, "edition.cnn.com", "/").cluster())
        .isEqualTo(TO_EGRESS_80);
  }
}
