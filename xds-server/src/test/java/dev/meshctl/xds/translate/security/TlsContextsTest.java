package dev.meshctl.xds.translate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared TLS building blocks match what the istio-proxy bootstrap and agent expect. */
class TlsContextsTest {
  @Test
  void workloadSecretsComeFromTheAgentOverSdsGrpcWithoutATimeout() {
    for (String name : List.of("default", "ROOTCA")) {
      SdsSecretConfig s = TlsContexts.agentSecret(name);
      assertThat(s.getName()).isEqualTo(name);
      ApiConfigSource api = s.getSdsConfig().getApiConfigSource();
      assertThat(api.getApiType()).isEqualTo(ApiConfigSource.ApiType.GRPC);
      assertThat(api.getTransportApiVersion()).isEqualTo(ApiVersion.V3);
      assertThat(api.getSetNodeOnFirstMessageOnly()).isTrue();
      assertThat(api.getGrpcServicesList())
          .extracting(g -> g.getEnvoyGrpc().getClusterName())
          .containsExactly("sds-grpc");
      assertThat(s.getSdsConfig().getResourceApiVersion()).isEqualTo(ApiVersion.V3);
      assertThat(s.getSdsConfig().hasInitialFetchTimeout()).isTrue();
      assertThat(s.getSdsConfig().getInitialFetchTimeout().getSeconds()).isZero();
    }
  }

  @Test
  void fileSecretsUseEnvoysDefaultTimeoutAndIstiosNames() {
    SdsSecretConfig cert =
        TlsContexts.agentSecret(ResourceNames.fileCertSecret("/c/cert.pem", "/c/key.pem"));
    assertThat(cert.getName()).isEqualTo("file-cert:/c/cert.pem~/c/key.pem");
    assertThat(cert.getSdsConfig().hasInitialFetchTimeout()).isFalse();
    assertThat(ResourceNames.fileRootSecret("system")).isEqualTo("file-root:system");
  }

  @Test
  void spiffeIdsFollowTheTrustDomainNamespaceAndServiceAccount() {
    assertThat(ResourceNames.spiffeId("cluster.local", "default", "reviews"))
        .isEqualTo("spiffe://cluster.local/ns/default/sa/reviews");
  }

  @Test
  void istioMutualUpstreamIsValidEnvoyConfig() {
    UpstreamTlsContext ctx =
        TlsContexts.istioMutualUpstream(
            "outbound_.80_._.a.b.svc.cluster.local", List.of("spiffe://td/ns/b/sa/a"), false);
    assertThat(new PgvValidator().validate(ctx)).isEmpty();
    assertThat(new PgvValidator().validate(TlsContexts.istioMutualDownstream(true))).isEmpty();
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("default");
  }
}
