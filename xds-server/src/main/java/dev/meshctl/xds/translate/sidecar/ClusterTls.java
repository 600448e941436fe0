package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsMode;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsSettings;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.security.TlsContexts;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.ProxyProtocolConfig;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.UpstreamHttpProtocolOptions;
import io.envoyproxy.envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;
import java.util.TreeSet;

/**
 * The upstream TLS of an outbound cluster, as Istio decides it ({@code cluster_tls.go}): a
 * DestinationRule's {@code tls} (DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL) when the merged policy has
 * one, otherwise auto-mTLS: Istio mutual TLS towards endpoints labelled {@code
 * security.istio.io/tlsMode=istio} and plaintext towards the rest, chosen per endpoint by {@code
 * transport_socket_matches}. Auto-mTLS stays off when the mesh disables it or the destination
 * namespace's PeerAuthentication is DISABLE. Pure; any thread.
 */
final class ClusterTls {
  /** Istio's default for SIMPLE/MUTUAL without {@code caCertificates}: the system trust store. */
  static final String SYSTEM_CA = "system";

  private static final Struct ISTIO_MATCH =
      Struct.newBuilder()
          .putFields(
              ResourceNames.TLS_MODE_KEY,
              Value.newBuilder().setStringValue(ResourceNames.TLS_MODE_ISTIO).build())
          .build();

  private ClusterTls() {}

  /**
   * Applies the TLS of cluster {@code outbound|port.port|subset|host} to {@code c}.
   *
   * @param tls the DestinationRule's merged TLS settings, or {@code null}
   */
  static void apply(
      Cluster.Builder c,
      ClientTlsSettings tls,
      MeshSnapshot snapshot,
      Service service,
      ServicePort port,
      String host,
      String subset) {
    String sni = ResourceNames.outboundSni(port.port(), subset, host);
    boolean http2 = ListenerProtocol.isHttp2(port.protocol());
    if (tls != null) {
      ClientTlsMode mode = tls.mode() == null ? ClientTlsMode.DISABLE : tls.mode();
      switch (mode) {
        case DISABLE -> {}
        case ISTIO_MUTUAL ->
            c.setTransportSocket(
                TlsContexts.tlsSocket(
                    TlsContexts.istioMutualUpstream(
                        nonEmpty(tls.sni()) ? tls.sni() : sni,
                        tls.subjectAltNames() == null || tls.subjectAltNames().isEmpty()
                            ? serviceAccounts(snapshot, service)
                            : tls.subjectAltNames(),
                        http2)));
        case SIMPLE, MUTUAL -> userTls(c, tls, mode == ClientTlsMode.MUTUAL, http2);
      }
      return;
    }
    if (!snapshot.mesh().enableAutoMtls() || !autoMtlsApplies(c, snapshot, service, port)) {
      return;
    }
    var socket =
        TlsContexts.tlsSocket(
            TlsContexts.istioMutualUpstream(sni, serviceAccounts(snapshot, service), http2));
    if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      // No endpoint metadata to match on: every endpoint was checked to have a sidecar.
      c.setTransportSocket(socket);
      return;
    }
    c.addTransportSocketMatches(
            Cluster.TransportSocketMatch.newBuilder()
                .setName(ResourceNames.TLS_MODE_ISTIO_MATCH)
                .setMatch(ISTIO_MATCH)
                .setTransportSocket(socket))
        .addTransportSocketMatches(
            Cluster.TransportSocketMatch.newBuilder()
                .setName(ResourceNames.TLS_MODE_DISABLED_MATCH)
                .setMatch(Struct.getDefaultInstance())
                .setTransportSocket(TlsContexts.rawBufferSocket()));
  }

  /**
   * DestinationRule {@code proxyProtocol}: every transport socket of the cluster (its own, else
   * plain text, and each auto-mTLS match) is wrapped so the connection starts with a PROXY protocol
   * header of the given version, as Istio does. {@code null}: nothing.
   */
  static void proxyProtocol(Cluster.Builder c, DestinationRule.ProxyProtocol pp) {
    if (pp == null) {
      return;
    }
    ProxyProtocolConfig.Version version =
        pp.version() == DestinationRule.ProxyProtocolVersion.V2
            ? ProxyProtocolConfig.Version.V2
            : ProxyProtocolConfig.Version.V1;
    c.setTransportSocket(
        wrap(
            c.hasTransportSocket() ? c.getTransportSocket() : TlsContexts.rawBufferSocket(),
            version));
    for (Cluster.TransportSocketMatch.Builder m : c.getTransportSocketMatchesBuilderList()) {
      m.setTransportSocket(wrap(m.getTransportSocket(), version));
    }
  }

  private static TransportSocket wrap(TransportSocket inner, ProxyProtocolConfig.Version version) {
    return TransportSocket.newBuilder()
        .setName(ResourceNames.UPSTREAM_PROXY_PROTOCOL_TRANSPORT_SOCKET)
        .setTypedConfig(
            Any.pack(
                ProxyProtocolUpstreamTransport.newBuilder()
                    .setConfig(ProxyProtocolConfig.newBuilder().setVersion(version))
                    .setTransportSocket(inner)
                    .build()))
        .build();
  }

  /**
   * Istio's best-effort guess of the destination's inbound mode: passthrough clusters upgrade only
   * when every endpoint has a sidecar (nothing can be matched per endpoint), and a DISABLE
   * PeerAuthentication of the service's namespace (or mesh) turns the upgrade off. Workload-level
   * policies are not consulted, as in Istio. MESH_EXTERNAL ServiceEntries never upgrade: their
   * endpoints have no sidecar.
   */
  private static boolean autoMtlsApplies(
      Cluster.Builder c, MeshSnapshot snapshot, Service service, ServicePort port) {
    if (service.attributes().meshExternal()) {
      return false;
    }
    if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      List<MeshEndpoint> endpoints = snapshot.endpoints().endpoints(service.id(), port.port());
      if (endpoints.isEmpty() || !endpoints.stream().allMatch(ClusterTls::hasSidecar)) {
        return false;
      }
    }
    return snapshot.peerAuthentications().mode(service.id().namespace(), java.util.Map.of())
        != MtlsMode.DISABLE;
  }

  /** True when the endpoint's pod carries the injector's {@code tlsMode=istio} label. */
  static boolean hasSidecar(MeshEndpoint e) {
    return ResourceNames.TLS_MODE_ISTIO.equals(e.labels().get(ResourceNames.TLS_MODE_LABEL));
  }

  /**
   * The SPIFFE identities of every pod behind the service (any port, ready or not), sorted: the
   * SANs an Istio client accepts from the destination, plus a ServiceEntry's {@code
   * subjectAltNames}.
   */
  static List<String> serviceAccounts(MeshSnapshot snapshot, Service service) {
    TreeSet<String> out = new TreeSet<>(service.attributes().subjectAltNames());
    String td = snapshot.mesh().trustDomain();
    for (ServicePort p : service.ports()) {
      for (MeshEndpoint e : snapshot.endpoints().endpoints(service.id(), p.port())) {
        if (!e.serviceAccount().isEmpty() && e.podName() != null) {
          out.add(ResourceNames.spiffeId(td, e.podName().namespace(), e.serviceAccount()));
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * SIMPLE and MUTUAL: certificates from files the istio-agent serves over SDS ({@code file-cert:},
   * {@code file-root:}). A {@code credentialName} is not used by sidecars (Istio only honours it on
   * gateways and selector-bound rules), which leaves the cluster plaintext; so does MUTUAL without
   * a client certificate and key.
   */
  private static void userTls(
      Cluster.Builder c, ClientTlsSettings tls, boolean mutual, boolean http2) {
    if (nonEmpty(tls.credentialName())) {
      return;
    }
    if (mutual && (!nonEmpty(tls.clientCertificate()) || !nonEmpty(tls.privateKey()))) {
      return;
    }
    boolean insecure = Boolean.TRUE.equals(tls.insecureSkipVerify());
    List<String> sans = tls.subjectAltNames() == null ? List.of() : tls.subjectAltNames();
    CommonTlsContext.Builder common =
        CommonTlsContext.newBuilder().setTlsParams(TlsContexts.clientParams());
    if (mutual) {
      common.addTlsCertificateSdsSecretConfigs(
          TlsContexts.agentSecret(
              ResourceNames.fileCertSecret(tls.clientCertificate(), tls.privateKey())));
    }
    if (insecure) {
      common.setValidationContext(CertificateValidationContext.getDefaultInstance());
    } else {
      CertificateValidationContext.Builder v =
          CertificateValidationContext.newBuilder()
              .addAllMatchSubjectAltNames(TlsContexts.exactSans(sans));
      if (nonEmpty(tls.caCrl())) {
        v.setCrl(DataSource.newBuilder().setFilename(tls.caCrl()));
      }
      String ca = nonEmpty(tls.caCertificates()) ? tls.caCertificates() : SYSTEM_CA;
      common.setCombinedValidationContext(
          CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setDefaultValidationContext(v)
              .setValidationContextSdsSecretConfig(
                  TlsContexts.agentSecret(ResourceNames.fileRootSecret(ca))));
    }
    if (http2) {
      common.addAllAlpnProtocols(TlsContexts.ALPN_H2_ONLY);
    }
    UpstreamTlsContext.Builder ctx = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    boolean autoSni = !nonEmpty(tls.sni());
    if (!autoSni) {
      ctx.setSni(tls.sni());
    }
    c.setTransportSocket(TlsContexts.tlsSocket(ctx.build()));
    // Without an SNI, Envoy takes it (and the SAN to verify) from each request's Host header.
    boolean autoSan = autoSni && sans.isEmpty() && !insecure;
    if (autoSni || autoSan) {
      HttpProtocolOptions.Builder options = httpOptions(c);
      options.setUpstreamHttpProtocolOptions(
          UpstreamHttpProtocolOptions.newBuilder()
              .setAutoSni(autoSni)
              .setAutoSanValidation(autoSan));
      c.putTypedExtensionProtocolOptions(
          TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()));
    }
  }

  private static HttpProtocolOptions.Builder httpOptions(Cluster.Builder c) {
    Any any =
        c.getTypedExtensionProtocolOptionsMap().get(TypedConfigs.UPSTREAM_HTTP_PROTOCOL_OPTIONS);
    HttpProtocolOptions.Builder options;
    try {
      options =
          any == null
              ? HttpProtocolOptions.newBuilder()
              : any.unpack(HttpProtocolOptions.class).toBuilder();
    } catch (InvalidProtocolBufferException e) {
      // Packed by this translation a moment ago.
      throw new IllegalStateException(e);
    }
    if (!options.hasExplicitHttpConfig() && !options.hasUseDownstreamProtocolConfig()) {
      // Envoy requires a protocol selection; HTTP/1.1 is what the cluster spoke without options.
      options.setExplicitHttpConfig(
          HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
              .setHttpProtocolOptions(
                  io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance()));
    }
    return options;
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
