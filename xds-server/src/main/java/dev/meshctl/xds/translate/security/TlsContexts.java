package dev.meshctl.xds.translate.security;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.meshctl.xds.names.ResourceNames;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * TLS transport sockets in Istio's shape, shared by every generator (sidecar clusters and inbound
 * chains, later gateways and proxyless): SDS references to the istio-agent's secrets ({@code
 * default}, {@code ROOTCA}, {@code file-cert:}/{@code file-root:}) over the bootstrap cluster
 * {@code sds-grpc}, Istio's ALPN lists, TLS parameters and SAN matchers. Stateless and pure; any
 * thread.
 */
public final class TlsContexts {
  /** ALPN an Istio client offers on mTLS to a non-HTTP/2 cluster (metadata exchange first). */
  public static final List<String> ALPN_IN_MESH = List.of("istio-peer-exchange", "istio");

  /** ALPN an Istio client offers on mTLS to an HTTP/2 cluster. */
  public static final List<String> ALPN_IN_MESH_H2 = List.of("istio-peer-exchange", "istio", "h2");

  /** ALPN of a user TLS (SIMPLE/MUTUAL) connection to an HTTP/2 cluster. */
  public static final List<String> ALPN_H2_ONLY = List.of("h2");

  /** ALPN an inbound HTTP chain's server offers (never "istio": it would break h2 negotiation). */
  public static final List<String> ALPN_DOWNSTREAM_HTTP = List.of("h2", "http/1.1");

  /** ALPN an inbound TCP chain's server offers, so TCP metadata exchange can be negotiated. */
  public static final List<String> ALPN_DOWNSTREAM_TCP =
      List.of("istio-peer-exchange", "h2", "http/1.1");

  /** Cipher suites inbound mTLS accepts (Istio's sidecar server defaults; TLS 1.2 only). */
  public static final List<String> SERVER_CIPHERS =
      List.of(
          "ECDHE-ECDSA-AES256-GCM-SHA384",
          "ECDHE-RSA-AES256-GCM-SHA384",
          "ECDHE-ECDSA-AES128-GCM-SHA256",
          "ECDHE-RSA-AES128-GCM-SHA256",
          "AES256-GCM-SHA384",
          "AES128-GCM-SHA256");

  private static final SdsSecretConfig DEFAULT =
      agentSecret(ResourceNames.SDS_DEFAULT_SECRET, true);
  private static final SdsSecretConfig ROOT = agentSecret(ResourceNames.SDS_ROOT_SECRET, true);

  private TlsContexts() {}

  /**
   * An SDS reference to a secret the istio-agent serves on {@code sds-grpc}. The workload secrets
   * {@code default} and {@code ROOTCA} wait for the agent without a timeout (the agent always has
   * them eventually); file-based secrets use Envoy's default timeout, as in Istio.
   */
  public static SdsSecretConfig agentSecret(String name) {
    if (name.equals(ResourceNames.SDS_DEFAULT_SECRET)) {
      return DEFAULT;
    }
    if (name.equals(ResourceNames.SDS_ROOT_SECRET)) {
      return ROOT;
    }
    return agentSecret(name, false);
  }

  private static SdsSecretConfig agentSecret(String name, boolean waitForever) {
    ConfigSource.Builder source =
        ConfigSource.newBuilder()
            .setApiConfigSource(
                ApiConfigSource.newBuilder()
                    .setApiType(ApiConfigSource.ApiType.GRPC)
                    .setSetNodeOnFirstMessageOnly(true)
                    .setTransportApiVersion(ApiVersion.V3)
                    .addGrpcServices(
                        GrpcService.newBuilder()
                            .setEnvoyGrpc(
                                GrpcService.EnvoyGrpc.newBuilder()
                                    .setClusterName(ResourceNames.SDS_CLUSTER))))
            .setResourceApiVersion(ApiVersion.V3);
    if (waitForever) {
      source.setInitialFetchTimeout(Duration.getDefaultInstance());
    }
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(source).build();
  }

  /** TLS 1.2 to 1.3, Istio's client defaults. */
  public static TlsParameters clientParams() {
    return TlsParameters.newBuilder()
        .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
        .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
        .build();
  }

  /** Exact SAN matchers, one per name, in the given order. */
  public static List<StringMatcher> exactSans(List<String> names) {
    return names.stream().map(n -> StringMatcher.newBuilder().setExact(n).build()).toList();
  }

  /**
   * The client context of Istio mutual TLS: workload certificate {@code default}, peers validated
   * against {@code ROOTCA} and {@code sans} (none: any mesh identity), {@code sni}, Istio's in-mesh
   * ALPN.
   */
  public static UpstreamTlsContext istioMutualUpstream(
      String sni, List<String> sans, boolean http2) {
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsParams(clientParams())
                .addTlsCertificateSdsSecretConfigs(DEFAULT)
                .setCombinedValidationContext(
                    CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .addAllMatchSubjectAltNames(exactSans(sans)))
                        .setValidationContextSdsSecretConfig(ROOT))
                .addAllAlpnProtocols(http2 ? ALPN_IN_MESH_H2 : ALPN_IN_MESH))
        .setSni(sni)
        .build();
  }

  /**
   * The server context of an inbound mTLS chain: workload certificate {@code default}, client
   * certificate required and validated against {@code ROOTCA}, Istio's server ALPN and ciphers.
   *
   * @param tcp true for TCP chains (offers {@code istio-peer-exchange}), false for HTTP chains
   */
  public static DownstreamTlsContext istioMutualDownstream(boolean tcp) {
    return DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsParams(
                    TlsParameters.newBuilder()
                        .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
                        .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
                        .addAllCipherSuites(SERVER_CIPHERS))
                .addTlsCertificateSdsSecretConfigs(DEFAULT)
                .setCombinedValidationContext(
                    CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(CertificateValidationContext.newBuilder())
                        .setValidationContextSdsSecretConfig(ROOT))
                .addAllAlpnProtocols(tcp ? ALPN_DOWNSTREAM_TCP : ALPN_DOWNSTREAM_HTTP))
        .setRequireClientCertificate(BoolValue.of(true))
        .build();
  }

  /** A TLS transport socket carrying {@code context} (an Upstream- or DownstreamTlsContext). */
  public static TransportSocket tlsSocket(Message context) {
    return TransportSocket.newBuilder()
        .setName(ResourceNames.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(context))
        .build();
  }

  /** The plaintext transport socket (auto-mTLS fallback). */
  public static TransportSocket rawBufferSocket() {
    return TransportSocket.newBuilder()
        .setName(ResourceNames.RAW_BUFFER_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(RawBuffer.getDefaultInstance()))
        .build();
  }
}
