package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.PilotFeatures;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.GatewaySimulator;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.Unpack;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Istio's "egress gateway with TLS origination" task (golden case {@code
 * gateway-egress-tls-origination}): the sleep sidecar sends plain HTTP for edition.cnn.com to the
 * egress gateway; the gateway routes it to edition.cnn.com port 443, whose cluster originates TLS
 * with SNI edition.cnn.com because of the DestinationRule's port-level {@code tls.mode: SIMPLE}.
 */
class EgressTlsOriginationSimulationTest {
  private static final Path DIR = GatewayGoldenTest.ROOT.resolve("gateway-egress-tls-origination");
  private static final String CNN_IP = "151.101.1.67";
  private static final String CNN_443 = "outbound|443||edition.cnn.com";
  private static final String CNN_80 = "outbound|80||edition.cnn.com";
  private static final String TO_EGRESS_80 =
      "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local";

  private static XdsDump gatewayDump() {
    return XdsDump.generate(MeshFixture.load(DIR));
  }

  private static Cluster cluster(XdsDump dump, String name) {
    assertThat(dump.clusters()).containsKey(name);
    return (Cluster) dump.clusters().get(name);
  }

  private static List<ConfigObject> objects() throws IOException {
    return MeshFixture.objects(Files.readString(DIR.resolve("input.yaml")), "tls-origination");
  }

  /** The case's mesh.yaml (REGISTRY_ONLY), as the golden fixture loads it. */
  private static MeshConfig registryOnly() {
    MeshConfig mesh = MeshFixture.load(DIR).snapshot().mesh();
    assertThat(mesh.outboundTrafficPolicy())
        .isEqualTo(MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY);
    return mesh;
  }

  @Test
  void sidecarSendsPlainHttpForTheExternalHostToTheEgressGateway() throws IOException {
    Proxy sleep =
        MeshFixture.proxy(
            Files.readString(GatewayGoldenTest.ROOT.resolve("egress-sidecar/proxy.yaml")));
    MeshSnapshot snapshot = MeshSnapshot.build(registryOnly(), objects());
    XdsDump dump = XdsDump.generate(new MeshFixture(snapshot, sleep));
    Result r = new RouteSimulator(dump).outboundHttp(CNN_IP, 80, "edition.cnn.com", "/politics");
    assertThat(r.listener()).isEqualTo("0.0.0.0_80");
    assertThat(r.cluster()).isEqualTo(TO_EGRESS_80);
    // Plain HTTP to the gateway Service's port 80: Istio's auto mTLS, no user TLS.
    assertThat(cluster(dump, TO_EGRESS_80).getTransportSocketMatchesList()).isNotEmpty();
  }

  @Test
  void egressGatewayRoutesTheHttpRequestToTheExternalPort443Cluster() {
    Result r =
        new GatewaySimulator(gatewayDump()).request(8080, null, "edition.cnn.com", "/politics");
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    assertThat(r.routeConfig()).isEqualTo("http.8080");
    assertThat(r.virtualHost()).isEqualTo("edition.cnn.com:80");
    assertThat(r.cluster()).isEqualTo(CNN_443);
  }

  @Test
  void thePort443ClusterOriginatesTlsWithTheServiceEntryHostAsSni() {
    Cluster c = cluster(gatewayDump(), CNN_443);
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(
            c.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress())
        .satisfies(
            a -> {
              assertThat(a.getAddress()).isEqualTo("edition.cnn.com");
              assertThat(a.getPortValue()).isEqualTo(443);
            });
    assertThat(c.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    UpstreamTlsContext tls =
        Unpack.of(c.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
    assertThat(tls.getSni()).isEqualTo("edition.cnn.com");
    // SIMPLE: verify the server against the system CAs, present no client certificate.
    assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList()).isEmpty();
    assertThat(
            tls.getCommonTlsContext()
                .getCombinedValidationContext()
                .getValidationContextSdsSecretConfig()
                .getName())
        .isEqualTo("file-root:system");
  }

  @Test
  void onlyTheDestinationRulesPortIsTls() {
    // The rule is port-level: port 80 of the same host stays plain text.
    Cluster c = cluster(gatewayDump(), CNN_80);
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesList()).isEmpty();
  }

  @Test
  void withoutTheOriginatingDestinationRuleTheGatewaySpeaksPlainTextToPort443() throws IOException {
    List<ConfigObject> without =
        objects().stream()
            .filter(
                o ->
                    !(o instanceof IstioObject i
                        && i.config().name().equals("originate-tls-for-edition-cnn-com")))
            .toList();
    assertThat(without).hasSize(objects().size() - 1);
    MeshFixture fixture =
        new MeshFixture(
            MeshSnapshot.build(registryOnly(), without),
            MeshFixture.proxy(Files.readString(DIR.resolve("proxy.yaml"))));
    XdsDump dump = XdsDump.generate(fixture);
    assertThat(new GatewaySimulator(dump).request(8080, null, "edition.cnn.com", "/").cluster())
        .isEqualTo(CNN_443);
    assertThat(cluster(dump, CNN_443).hasTransportSocket()).isFalse();
  }

  @Test
  void scopedToItsNamespaceTheIstioSystemGatewayIgnoresTheTasksGatewayInDefault() {
    // The task applies its Gateway in the default namespace: with PILOT_SCOPE_GATEWAY_TO_NAMESPACE
    // the egress gateway pod in istio-system serves none of it.
    MeshFixture loaded = MeshFixture.load(DIR);
    XdsDump scoped =
        XdsDump.generate(
            new MeshFixture(
                loaded.snapshot().withFeatures(new PilotFeatures(true)), loaded.proxy()));
    assertThat(scoped.listeners()).isEmpty();
    assertThat(new GatewaySimulator(scoped).request(8080, null, "edition.cnn.com", "/").listener())
        .isEmpty();
  }
}
