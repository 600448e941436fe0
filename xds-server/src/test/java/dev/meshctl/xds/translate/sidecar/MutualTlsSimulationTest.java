package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.Unpack;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Follows inbound connections through the generated {@code virtualInbound} of the mTLS golden cases
 * the way Envoy matches chains (port, then transport, then ALPN, no fallback), and checks which
 * chain each kind of client lands on per PeerAuthentication mode: an Istio mTLS client (transport
 * {@code tls}, ALPN {@code istio-*}), a plaintext client, and a plain-TLS app client.
 */
class MutualTlsSimulationTest {
  private static final String TLS = "tls";
  private static final String RAW = "raw_buffer";

  private static XdsDump dump(String golden) {
    return XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(golden)));
  }

  /** What a chain does with a connection: name, HTTP or TCP, and whether it terminates mTLS. */
  private record Landing(String chain, boolean http, boolean mtls) {}

  private static Optional<Landing> land(XdsDump d, int port, String transport, String alpn) {
    return new RouteSimulator(d)
        .inboundChain(port, transport, alpn)
        .map(
            c ->
                new Landing(
                    c.getName(),
                    c.getFiltersList().stream()
                        .anyMatch(f -> f.getTypedConfig().is(HttpConnectionManager.class)),
                    c.hasTransportSocket()));
  }

  @Test
  void strictAcceptsOnlyMutualTls() {
    XdsDump d = dump("mtls-strict");
    assertThat(land(d, 8080, TLS, "istio-http/1.1"))
        .contains(new Landing("0.0.0.0_8080", true, true));
    assertThat(land(d, 9000, TLS, "istio-peer-exchange"))
        .contains(new Landing("0.0.0.0_9000", false, true));
    // Sniffed port: HTTP over mTLS goes to the HCM, anything else over mTLS to tcp_proxy.
    assertThat(land(d, 7000, TLS, "istio-h2")).contains(new Landing("0.0.0.0_7000", true, true));
    assertThat(land(d, 7000, TLS, "istio")).contains(new Landing("0.0.0.0_7000", false, true));
    // Plaintext finds no chain on a served port nor on the passthrough: Envoy closes it.
    assertThat(land(d, 8080, RAW, "http/1.1")).isEmpty();
    assertThat(land(d, 9000, RAW, "")).isEmpty();
    assertThat(land(d, 12345, RAW, "")).isEmpty();
    assertThat(land(d, 12345, TLS, "istio")).contains(new Landing("virtualInbound", false, true));
  }

  @Test
  void permissiveAcceptsMutualTlsAndPlaintext() {
    XdsDump d = dump("mtls-permissive");
    assertThat(land(d, 8080, TLS, "istio-peer-exchange"))
        .contains(new Landing("0.0.0.0_8080", true, true));
    assertThat(land(d, 8080, RAW, "http/1.1")).contains(new Landing("0.0.0.0_8080", true, false));
    assertThat(land(d, 9000, TLS, "istio")).contains(new Landing("0.0.0.0_9000", false, true));
    assertThat(land(d, 9000, RAW, "")).contains(new Landing("0.0.0.0_9000", false, false));
    // An app's own TLS (no Istio ALPN) passes through as TCP without being terminated.
    assertThat(land(d, 9000, TLS, "h2")).contains(new Landing("0.0.0.0_9000", false, false));
    assertThat(land(d, 7000, TLS, "istio-http/1.1"))
        .contains(new Landing("0.0.0.0_7000", true, true));
    assertThat(land(d, 7000, RAW, "h2c")).contains(new Landing("0.0.0.0_7000", true, false));
    assertThat(land(d, 7000, TLS, "h2")).contains(new Landing("0.0.0.0_7000", false, false));
    assertThat(land(d, 12345, RAW, "http/1.1"))
        .contains(new Landing("virtualInbound-catchall-http", true, false));
    assertThat(land(d, 12345, TLS, "istio-http/1.1"))
        .contains(new Landing("virtualInbound-catchall-http", true, true));
  }

  @Test
  void disableAcceptsOnlyPlaintextAndSkipsTheTlsInspector() {
    XdsDump d = dump("mtls-disable");
    assertThat(land(d, 8080, RAW, "")).contains(new Landing("0.0.0.0_8080", true, false));
    assertThat(land(d, 8080, TLS, "istio-http/1.1")).isEmpty();
    assertThat(land(d, 12345, RAW, "")).contains(new Landing("virtualInbound", false, false));
    Listener inbound = (Listener) d.listeners().get("virtualInbound");
    assertThat(inbound.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly(
            "envoy.filters.listener.original_dst", "envoy.filters.listener.http_inspector");
  }

  @Test
  void portLevelModesOverrideTheWorkloadMode() {
    XdsDump d = dump("mtls-port-level");
    // 8080: DISABLE over the workload's STRICT.
    assertThat(land(d, 8080, RAW, "")).contains(new Landing("0.0.0.0_8080", true, false));
    assertThat(land(d, 8080, TLS, "istio")).isEmpty();
    // 9000: UNSET inherits STRICT.
    assertThat(land(d, 9000, RAW, "")).isEmpty();
    assertThat(land(d, 9000, TLS, "istio")).contains(new Landing("0.0.0.0_9000", false, true));
    // 15999: no service, PERMISSIVE: its own passthrough chains; other ports stay STRICT.
    assertThat(land(d, 15999, RAW, "")).contains(new Landing("virtualInbound", false, false));
    assertThat(land(d, 15999, TLS, "istio")).contains(new Landing("virtualInbound", false, true));
    assertThat(land(d, 12345, RAW, "")).isEmpty();
  }

  @Test
  void onlyEndpointsWithASidecarCarryTheTlsModeMetadataAutoMtlsMatches() {
    XdsDump d = dump("mtls-strict");
    ClusterLoadAssignment web =
        (ClusterLoadAssignment) d.endpoints().get("outbound|80||web.shop.svc.cluster.local");
    assertThat(
            web.getEndpoints(0)
                .getLbEndpoints(0)
                .getMetadata()
                .getFilterMetadataOrThrow("envoy.transport_socket_match")
                .getFieldsOrThrow("tlsMode")
                .getStringValue())
        .isEqualTo("istio");
    ClusterLoadAssignment legacy =
        (ClusterLoadAssignment) d.endpoints().get("outbound|80||legacy.shop.svc.cluster.local");
    assertThat(legacy.getEndpoints(0).getLbEndpoints(0).hasMetadata()).isFalse();
  }

  @Test
  void inboundMutualTlsRequiresAClientCertificateFromTheWorkloadSecrets() {
    XdsDump d = dump("mtls-strict");
    FilterChain chain =
        new RouteSimulator(d).inboundChain(9000, TLS, "istio-peer-exchange").orElseThrow();
    DownstreamTlsContext ctx =
        Unpack.of(chain.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class);
    assertThat(ctx.getRequireClientCertificate().getValue()).isTrue();
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList())
        .extracting(
            s ->
                s.getName()
                    + "@"
                    + s.getSdsConfig()
                        .getApiConfigSource()
                        .getGrpcServices(0)
                        .getEnvoyGrpc()
                        .getClusterName())
        .containsExactly("default@sds-grpc");
    assertThat(
            ctx.getCommonTlsContext()
                .getCombinedValidationContext()
                .getValidationContextSdsSecretConfig()
                .getName())
        .isEqualTo("ROOTCA");
    // TCP chains offer istio-peer-exchange for metadata exchange; HTTP chains only h2/http1.1.
    assertThat(ctx.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "h2", "http/1.1");
    FilterChain http =
        new RouteSimulator(d).inboundChain(8080, TLS, "istio-http/1.1").orElseThrow();
    assertThat(
            Unpack.of(http.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class)
                .getCommonTlsContext()
                .getAlpnProtocolsList())
        .containsExactly("h2", "http/1.1");
    // The app sees its caller's SPIFFE ID in x-forwarded-client-cert.
    HttpConnectionManager hcm =
        Unpack.of(http.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
    assertThat(hcm.getForwardClientCertDetails())
        .isEqualTo(HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD);
    assertThat(hcm.getSetCurrentClientCertDetails().getUri()).isTrue();
    assertThat(hcm.getSetCurrentClientCertDetails().getSubject().getValue()).isTrue();
  }
}
