package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ProxyProtocolConfig;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule {@code trafficPolicy.proxyProtocol}: the cluster's transport sockets are wrapped
 * in Envoy's upstream PROXY protocol socket with the rule's version, around plain text or around
 * each auto-mTLS match, and the result passes Envoy's validation rules.
 */
class ProxyProtocolClusterTest {
  private static final String CLUSTER = "outbound|9080||reviews.shop.svc.cluster.local";

  private static Cluster cluster(String tls) {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: shop}
        spec:
          clusterIP: 10.96.0.7
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy:
            proxyProtocol: {version: V2}
            %s
        """
            .formatted(tls);
    MeshSnapshot s = MeshFixture.snapshot(yaml);
    Proxy p =
        MeshFixture.proxy(
            "id: sidecar~10.0.0.5~client-1.shop~shop.svc.cluster.local\n"
                + "metadata: {NAMESPACE: shop}\n");
    return (Cluster)
        MeshFixture.generate(s, p, XdsType.CLUSTER, Subscription.WILDCARD).get(CLUSTER);
  }

  private static ProxyProtocolUpstreamTransport unwrap(TransportSocket t) throws Exception {
    assertThat(t.getName()).isEqualTo(ResourceNames.UPSTREAM_PROXY_PROTOCOL_TRANSPORT_SOCKET);
    return t.getTypedConfig().unpack(ProxyProtocolUpstreamTransport.class);
  }

  @Test
  void plainTextIsWrappedWithTheRulesVersion() throws Exception {
    Cluster c = cluster("tls: {mode: DISABLE}");
    ProxyProtocolUpstreamTransport pp = unwrap(c.getTransportSocket());
    assertThat(pp.getConfig().getVersion()).isEqualTo(ProxyProtocolConfig.Version.V2);
    assertThat(pp.getTransportSocket().getName())
        .isEqualTo(ResourceNames.RAW_BUFFER_TRANSPORT_SOCKET);
    assertThat(new PgvValidator().validate(c)).isEmpty();
  }

  @Test
  void everyAutoMtlsMatchIsWrapped() throws Exception {
    Cluster c = cluster("");
    assertThat(c.getTransportSocketMatchesList()).hasSize(2);
    assertThat(
            unwrap(c.getTransportSocketMatches(0).getTransportSocket())
                .getTransportSocket()
                .getName())
        .isEqualTo(ResourceNames.TLS_TRANSPORT_SOCKET);
    assertThat(
            unwrap(c.getTransportSocketMatches(1).getTransportSocket())
                .getTransportSocket()
                .getName())
        .isEqualTo(ResourceNames.RAW_BUFFER_TRANSPORT_SOCKET);
    assertThat(new PgvValidator().validate(c)).isEmpty();
  }
}
