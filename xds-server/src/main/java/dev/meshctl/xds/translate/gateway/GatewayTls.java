package dev.meshctl.xds.translate.gateway;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshctl.crds.networking.Common.ServerTlsMode;
import dev.meshctl.crds.networking.Common.ServerTlsSettings;
import dev.meshctl.crds.networking.Common.TlsProtocol;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.security.TlsContexts;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code DownstreamTlsContext} of a gateway server terminating TLS, as Istio builds it ({@code
 * BuildListenerTLSContext}): certificates are never inlined but fetched over SDS, {@code
 * credentialName} as {@code kubernetes://<name>} from istiod over ADS (its CA, for MUTUAL, as
 * {@code kubernetes://<name>-cacert}), ISTIO_MUTUAL as the workload's {@code default} and {@code
 * ROOTCA} from the istio-agent ({@code sds-grpc}), file paths as {@code file-cert:}/{@code
 * file-root:} from the istio-agent. Pure; any thread.
 */
public final class GatewayTls {
  /** ALPN a terminating HTTPS gateway offers. */
  static final List<String> HTTP_ALPNS = List.of("h2", "http/1.1");

  /** Transport socket name of TLS. */
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /** Istio's {@code SDSAdsConfig}: secrets from istiod over the proxy's ADS stream. */
  private static final ConfigSource SDS_ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private GatewayTls() {}

  /**
   * The TLS transport socket of a terminating server, or empty for plain text and passthrough
   * servers.
   */
  static Optional<TransportSocket> transportSocket(GatewayServer s) {
    return context(s)
        .map(
            ctx ->
                TransportSocket.newBuilder()
                    .setName(TLS_TRANSPORT_SOCKET)
                    .setTypedConfig(Any.pack(ctx))
                    .build());
  }

  /** The downstream TLS context, or empty when the server does not terminate TLS. */
  public static Optional<DownstreamTlsContext> context(GatewayServer s) {
    ServerTlsSettings tls = s.server().tls();
    if (tls == null || s.passthrough() || s.protocol().isHttp()) {
      return Optional.empty();
    }
    ServerTlsMode mode = s.tlsMode();
    boolean mutual = mode == ServerTlsMode.MUTUAL || mode == ServerTlsMode.ISTIO_MUTUAL;
    boolean validate = mutual || mode == ServerTlsMode.OPTIONAL_MUTUAL;
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAllAlpnProtocols(HTTP_ALPNS);
    List<String> credentials = credentialNames(tls);
    if (mode == ServerTlsMode.ISTIO_MUTUAL) {
      common.addTlsCertificateSdsSecretConfigs(
          TlsContexts.agentSecret(ResourceNames.SDS_DEFAULT_SECRET));
      common.setCombinedValidationContext(
          combined(sanValidation(tls), TlsContexts.agentSecret(ResourceNames.SDS_ROOT_SECRET)));
    } else if (!credentials.isEmpty()) {
      for (String c : credentials) {
        common.addTlsCertificateSdsSecretConfigs(sds(ResourceNames.credentialSecret(c), SDS_ADS));
      }
      if (validate) {
        String ca =
            nonEmpty(tls.caCertCredentialName())
                ? ResourceNames.credentialSecret(tls.caCertCredentialName())
                : ResourceNames.credentialCaSecret(credentials.get(0));
        CertificateValidationContext.Builder v = sanValidation(tls).toBuilder();
        v.addAllVerifyCertificateSpki(tls.verifyCertificateSpki());
        v.addAllVerifyCertificateHash(tls.verifyCertificateHash());
        common.setCombinedValidationContext(combined(v.build(), sds(ca, SDS_ADS)));
      } else if (!tls.subjectAltNames().isEmpty()) {
        common.setValidationContext(sanValidation(tls));
      }
    } else {
      String cert = nonEmpty(tls.serverCertificate()) ? tls.serverCertificate() : "";
      String name =
          cert.isEmpty()
              ? ResourceNames.SDS_DEFAULT_SECRET
              : ResourceNames.fileCertSecret(cert, nullToEmpty(tls.privateKey()));
      common.addTlsCertificateSdsSecretConfigs(TlsContexts.agentSecret(name));
      if (validate) {
        String root =
            nonEmpty(tls.caCertificates())
                ? ResourceNames.fileRootSecret(tls.caCertificates())
                : ResourceNames.SDS_ROOT_SECRET;
        common.setCombinedValidationContext(
            combined(sanValidation(tls), TlsContexts.agentSecret(root)));
      }
    }
    if (mode == ServerTlsMode.SIMPLE
        || mode == ServerTlsMode.MUTUAL
        || mode == ServerTlsMode.OPTIONAL_MUTUAL) {
      TlsParameters.Builder p = TlsParameters.newBuilder();
      boolean set = false;
      if (tls.minProtocolVersion() != null) {
        p.setTlsMinimumProtocolVersion(protocol(tls.minProtocolVersion()));
        set = true;
      }
      if (tls.maxProtocolVersion() != null) {
        p.setTlsMaximumProtocolVersion(protocol(tls.maxProtocolVersion()));
        set = true;
      }
      if (!tls.cipherSuites().isEmpty()) {
        p.addAllCipherSuites(tls.cipherSuites());
        set = true;
      }
      if (set) {
        common.setTlsParams(p);
      }
    }
    return Optional.of(
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common)
            .setRequireClientCertificate(BoolValue.of(mutual))
            .build());
  }

  /** Every SDS resource name the server's TLS context references, for SDS and tests. */
  public static List<String> secretNames(GatewayServer s) {
    List<String> out = new ArrayList<>();
    context(s)
        .ifPresent(
            ctx -> {
              CommonTlsContext c = ctx.getCommonTlsContext();
              c.getTlsCertificateSdsSecretConfigsList().forEach(x -> out.add(x.getName()));
              if (c.hasCombinedValidationContext()) {
                out.add(
                    c.getCombinedValidationContext()
                        .getValidationContextSdsSecretConfig()
                        .getName());
              }
            });
    return out;
  }

  private static List<String> credentialNames(ServerTlsSettings tls) {
    if (!tls.credentialNames().isEmpty()) {
      return tls.credentialNames();
    }
    return nonEmpty(tls.credentialName()) ? List.of(tls.credentialName()) : List.of();
  }

  private static CertificateValidationContext sanValidation(ServerTlsSettings tls) {
    CertificateValidationContext.Builder v = CertificateValidationContext.newBuilder();
    for (String san : tls.subjectAltNames()) {
      v.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
    }
    return v.build();
  }

  private static CommonTlsContext.CombinedCertificateValidationContext combined(
      CertificateValidationContext defaults, SdsSecretConfig sds) {
    return CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
        .setDefaultValidationContext(defaults)
        .setValidationContextSdsSecretConfig(sds)
        .build();
  }

  private static SdsSecretConfig sds(String name, ConfigSource source) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(source).build();
  }

  private static TlsParameters.TlsProtocol protocol(TlsProtocol p) {
    return switch (p) {
      case TLS_AUTO -> TlsParameters.TlsProtocol.TLS_AUTO;
      case TLSV1_0 -> TlsParameters.TlsProtocol.TLSv1_0;
      case TLSV1_1 -> TlsParameters.TlsProtocol.TLSv1_1;
      case TLSV1_2 -> TlsParameters.TlsProtocol.TLSv1_2;
      case TLSV1_3 -> TlsParameters.TlsProtocol.TLSv1_3;
    };
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
