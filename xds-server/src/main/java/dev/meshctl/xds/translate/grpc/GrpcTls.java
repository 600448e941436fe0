package dev.meshctl.xds.translate.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsMode;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsSettings;
import dev.meshctl.crds.networking.DestinationRule.PortTrafficPolicy;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Mutual TLS for proxyless gRPC. grpc has no SDS: its TLS contexts name a <em>certificate provider
 * instance</em> from the client's bootstrap ({@code certificate_providers}, normally a {@code
 * file_watcher} over the key, chain and root istio-agent writes), so every context here points at
 * instance {@link ResourceNames#GRPC_CERTIFICATE_PROVIDER} with certificate names {@code default}
 * (identity) and {@code ROOTCA} (roots).
 *
 * <p>The identity is named in the current field ({@code tls_certificate_provider_instance}) and in
 * the deprecated one older grpc releases read; the roots only in {@code
 * validation_context.ca_certificate_provider_instance}. Istio puts the roots in a {@code
 * combined_validation_context}, which breaks Envoy's rules (it requires an SDS config there) and so
 * would never leave our ADS server; grpc-java 1.85 reads either.
 *
 * <p>What grpc cannot do shapes the rest: it rejects {@code transport_socket_matches}, so TLS is
 * all or nothing per cluster (no per-endpoint auto-mTLS); a grpc server chooses its filter chain
 * before any handshake and ignores chains matching on {@code transport_protocol: tls}, so one port
 * cannot serve both mTLS and plaintext (no real PERMISSIVE); and it rejects SAN matchers on a
 * server. Stateless; any thread.
 */
final class GrpcTls {
  /** Envoy's TLS transport socket; grpc requires exactly this name. */
  static final String TRANSPORT_SOCKET = ResourceNames.TLS_TRANSPORT_SOCKET;

  /**
   * The label the injector puts on mesh pods; on a grpc server it turns PERMISSIVE into mTLS, as in
   * Istio, because clients that auto-upgrade to mTLS look at the same label.
   */
  static final String TLS_MODE_LABEL = ResourceNames.TLS_MODE_LABEL;

  static final String TLS_MODE_ISTIO = ResourceNames.TLS_MODE_ISTIO;

  private GrpcTls() {}

  /**
   * The TLS mode of a DestinationRule for one cluster: the rule's, overridden by its port-level
   * setting, then the subset's and the subset's port-level one; empty when none sets a mode.
   */
  static Optional<ClientTlsMode> clientMode(DestinationRule rule, String subset, int port) {
    Optional<ClientTlsMode> mode = mode(rule.trafficPolicy(), port, Optional.empty());
    if (!subset.isEmpty()) {
      Optional<DestinationRule.Subset> s = TrafficPolicy.subset(rule, subset);
      if (s.isPresent()) {
        mode = mode(s.get().trafficPolicy(), port, mode);
      }
    }
    return mode;
  }

  /**
   * The mode {@code policy} sets for {@code port}: its port-level TLS settings replace its own as a
   * whole (as in Istio), and settings without a mode mean DISABLE (the proto default); {@code
   * inherited} when neither is present.
   */
  private static Optional<ClientTlsMode> mode(
      DestinationRule.TrafficPolicy policy, int port, Optional<ClientTlsMode> inherited) {
    if (policy == null) {
      return inherited;
    }
    ClientTlsSettings tls = policy.tls();
    if (policy.portLevelSettings() != null) {
      for (PortTrafficPolicy p : policy.portLevelSettings()) {
        if (p.tls() != null
            && p.port() != null
            && p.port().number() != null
            && p.port().number() == port) {
          tls = p.tls();
        }
      }
    }
    if (tls == null) {
      return inherited;
    }
    return Optional.of(tls.mode() == null ? ClientTlsMode.DISABLE : tls.mode());
  }

  /**
   * The SPIFFE identities of the workloads behind {@code service} on {@code port}, sorted: the
   * service accounts of the pods its endpoints point at. Endpoints without a known pod add nothing.
   */
  static List<String> serviceAccounts(MeshSnapshot snapshot, Service service, int port) {
    SortedSet<String> out = new TreeSet<>();
    for (MeshEndpoint e : snapshot.endpoints().endpoints(service.id(), port)) {
      if (e.podName() != null && !e.serviceAccount().isEmpty()) {
        out.add(
            ResourceNames.spiffeId(
                snapshot.mesh().trustDomain(), e.podName().namespace(), e.serviceAccount()));
      }
    }
    return List.copyOf(out);
  }

  /** A client transport socket presenting the workload identity and checking {@code sans}. */
  static TransportSocket upstream(Collection<String> sans) {
    return socket(
        Any.pack(UpstreamTlsContext.newBuilder().setCommonTlsContext(common(sans)).build()));
  }

  /**
   * A server transport socket demanding a client certificate from the mesh roots. Any mesh identity
   * passes; which ones may call is authorization's business, and grpc would reject SAN matchers
   * here anyway.
   */
  static TransportSocket downstream() {
    return socket(
        Any.pack(
            DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(common(List.of()))
                .setRequireClientCertificate(BoolValue.of(true))
                .build()));
  }

  /**
   * Whether a grpc server with {@code labels} terminates mTLS under {@code mode}. PERMISSIVE cannot
   * be served as such (see the class comment); like Istio, it means mTLS for pods labelled {@code
   * security.istio.io/tlsMode: istio} (their clients upgrade to mTLS) and plaintext otherwise.
   */
  static boolean serverRequiresMtls(MtlsMode mode, Map<String, String> labels) {
    return switch (mode) {
      case STRICT -> true;
      case PERMISSIVE -> TLS_MODE_ISTIO.equals(labels.get(TLS_MODE_LABEL));
      case DISABLE, UNSET -> false;
    };
  }

  private static TransportSocket socket(Any context) {
    return TransportSocket.newBuilder().setName(TRANSPORT_SOCKET).setTypedConfig(context).build();
  }

  @SuppressWarnings("deprecation") // the deprecated fields are for older grpc releases
  private static CommonTlsContext common(Collection<String> sans) {
    CertificateValidationContext.Builder validation =
        CertificateValidationContext.newBuilder()
            .setCaCertificateProviderInstance(plugin(ResourceNames.GRPC_ROOT_CERTIFICATE));
    for (String san : sans) {
      validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
    }
    return CommonTlsContext.newBuilder()
        .setTlsCertificateProviderInstance(plugin(ResourceNames.GRPC_IDENTITY_CERTIFICATE))
        .setTlsCertificateCertificateProviderInstance(
            legacy(ResourceNames.GRPC_IDENTITY_CERTIFICATE))
        // A plain validation_context, not Istio's combined one: Envoy's rules require an SDS
        // config in a combined context, and the ADS server never sends what Envoy would reject.
        .setValidationContext(validation)
        .build();
  }

  private static CertificateProviderPluginInstance plugin(String certificate) {
    return CertificateProviderPluginInstance.newBuilder()
        .setInstanceName(ResourceNames.GRPC_CERTIFICATE_PROVIDER)
        .setCertificateName(certificate)
        .build();
  }

  @SuppressWarnings("deprecation")
  private static CommonTlsContext.CertificateProviderInstance legacy(String certificate) {
    return CommonTlsContext.CertificateProviderInstance.newBuilder()
        .setInstanceName(ResourceNames.GRPC_CERTIFICATE_PROVIDER)
        .setCertificateName(certificate)
        .build();
  }
}
