package io.grpc.xds;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.REVIEWS_FQDN;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.generate;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.PeerAuthenticationPolicy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.endpoint.EndpointTranslator;
import dev.meshctl.xds.translate.grpc.GrpcMeshFixture;
import io.grpc.InsecureChannelCredentials;
import io.grpc.xds.client.Bootstrapper;
import io.grpc.xds.client.EnvoyProtoData;
import io.grpc.xds.client.XdsResourceType;
import io.grpc.xds.client.XdsResourceType.ResourceInvalidException;
import io.grpc.xds.internal.security.TlsContextManagerImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Feeds our proxyless gRPC output to grpc-java 1.85's own resource parsers, the code that decides
 * between ACK and NACK in a real grpc xDS client or server. grpc-java shades the Envoy protos, so
 * each resource crosses over as bytes, exactly as on the wire. This class lives in {@code
 * io.grpc.xds} because those parsers are package-private.
 */
class GrpcJavaAcceptsGrpcGeneratorTest {
  private static final Bootstrapper.ServerInfo SERVER =
      Bootstrapper.ServerInfo.create("localhost:15010", InsecureChannelCredentials.create());
  private static final XdsResourceType.Args ARGS =
      new XdsResourceType.Args(
          SERVER,
          "1",
          "nonce-1",
          Bootstrapper.BootstrapInfo.builder()
              .servers(List.of(SERVER))
              .node(EnvoyProtoData.Node.newBuilder().setId("sidecar~10.0.0.7~c.default~d").build())
              .build(),
          null,
          null);

  private static final String CLUSTER = "outbound|9080||" + REVIEWS_FQDN;

  /** A bootstrap as istio-agent writes it for mTLS: a file_watcher provider named "default". */
  private static final XdsResourceType.Args TLS_ARGS = argsWithProviders("default");

  private static XdsResourceType.Args argsWithProviders(String instance) {
    Bootstrapper.BootstrapInfo info =
        Bootstrapper.BootstrapInfo.builder()
            .servers(List.of(SERVER))
            .node(EnvoyProtoData.Node.newBuilder().setId("sidecar~10.0.0.7~c.default~d").build())
            .certProviders(
                Map.of(
                    instance,
                    Bootstrapper.CertificateProviderInfo.create(
                        "file_watcher",
                        Map.of(
                            "certificate_file", "/var/lib/istio/data/cert-chain.pem",
                            "private_key_file", "/var/lib/istio/data/key.pem",
                            "ca_certificate_file", "/var/lib/istio/data/root-cert.pem",
                            "refresh_interval", "900s"))))
            .build();
    // A server's listener parse needs the TLS context manager XdsServerWrapper passes; it only
    // creates SSL contexts (and reads the files) on the first handshake.
    return new XdsResourceType.Args(
        SERVER, "1", "nonce-1", info, new TlsContextManagerImpl(info), null);
  }

  @Test
  void clientChainFromListenerToEndpointsIsAcceptedAndConsistent() throws Exception {
    MeshSnapshot snapshot = snapshot();
    String listenerName = "reviews:9080";

    XdsListenerResource.LdsUpdate lds =
        XdsListenerResource.getInstance()
            .doParse(ARGS, shadedListener(only(snapshot, XdsType.LISTENER, listenerName)));
    HttpConnectionManager hcm = lds.httpConnectionManager();
    assertThat(hcm.rdsName()).isEqualTo(CLUSTER);
    assertThat(hcm.httpFilterConfigs())
        .extracting(f -> f.name)
        .containsExactly("envoy.filters.http.fault", "envoy.filters.http.router");
    assertThat(hcm.httpFilterConfigs().get(1).filterConfig).isEqualTo(RouterFilter.ROUTER_CONFIG);

    XdsRouteConfigureResource.RdsUpdate rds =
        XdsRouteConfigureResource.getInstance()
            .doParse(ARGS, shadedRoute(only(snapshot, XdsType.ROUTE, hcm.rdsName())));
    // Every authority a client in "default" may dial selects our virtual host.
    for (String authority :
        List.of(
            "reviews:9080",
            "reviews.default:9080",
            "reviews.default.svc:9080",
            REVIEWS_FQDN + ":9080",
            "10.96.0.5:9080")) {
      VirtualHost vh = RoutingUtils.findVirtualHostForHostName(rds.virtualHosts, authority);
      assertThat(vh).as(authority).isNotNull();
      assertThat(vh.routes()).hasSize(1);
      assertThat(vh.routes().get(0).routeAction().cluster()).isEqualTo(CLUSTER);
    }
    assertThat(RoutingUtils.findVirtualHostForHostName(rds.virtualHosts, "ratings:9080")).isNull();

    XdsClusterResource.CdsUpdate cds =
        XdsClusterResource.getInstance()
            .doParse(ARGS, shadedCluster(only(snapshot, XdsType.CLUSTER, CLUSTER)));
    assertThat(cds.clusterName()).isEqualTo(CLUSTER);
    assertThat(cds.clusterType()).isEqualTo(XdsClusterResource.CdsUpdate.ClusterType.EDS);
    assertThat(cds.edsServiceName()).isEqualTo(CLUSTER);
    assertThat(cds.internalLbPolicyConfigJson().toString()).contains("round_robin");

    // EDS comes from the shared EndpointTranslator, under the name the cluster asks for.
    XdsEndpointResource.EdsUpdate eds =
        XdsEndpointResource.getInstance()
            .doParse(
                ARGS,
                io.grpc.xds.shaded.io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment
                    .parseFrom(
                        EndpointTranslator.translate(
                                snapshot,
                                cds.edsServiceName(),
                                EndpointTranslator.SubsetSelector.NONE)
                            .orElseThrow()
                            .toByteString()));
    assertThat(eds.clusterName).isEqualTo(CLUSTER);
    assertThat(eds.localityLbEndpointsMap).hasSize(1);
  }

  @Test
  void serverListenerIsAcceptedWithTheAddressXdsServerWrapperCompares() throws Exception {
    String name = "xds.istio.io/grpc/lds/inbound/127.0.0.1:50051";

    XdsListenerResource.LdsUpdate lds =
        XdsListenerResource.getInstance()
            .doParse(ARGS, shadedListener(only(snapshot(), XdsType.LISTENER, name)));

    EnvoyServerProtoData.Listener listener = lds.listener();
    assertThat(lds.httpConnectionManager()).isNull();
    // XdsServerWrapper serves only when this equals its bound address and the protocol is TCP.
    assertThat(listener.address()).isEqualTo("127.0.0.1:50051");
    assertThat(listener.protocol())
        .isEqualTo(
            io.grpc.xds.shaded.io.envoyproxy.envoy.config.core.v3.SocketAddress.Protocol.TCP);
    assertThat(listener.filterChains()).hasSize(1);
    EnvoyServerProtoData.FilterChain chain = listener.filterChains().get(0);
    assertThat(chain.name()).isEqualTo("inbound-plaintext");
    HttpConnectionManager hcm = chain.httpConnectionManager();
    assertThat(hcm.rdsName()).isNull();
    assertThat(hcm.virtualHosts()).hasSize(1);
    VirtualHost vh = RoutingUtils.findVirtualHostForHostName(hcm.virtualHosts(), "anything:1");
    assertThat(vh).isNotNull();
    assertThat(vh.routes().get(0).routeAction()).isNull(); // non-forwarding
    assertThat(hcm.httpFilterConfigs())
        .extracting(f -> f.name)
        .containsExactly("envoy.filters.http.router");
  }

  @Test
  void istioMutualClusterIsAcceptedWithTheBootstrapsProviderAndSpiffeSans() throws Exception {
    MeshSnapshot snapshot = withIstioMutual();

    XdsClusterResource.CdsUpdate cds =
        XdsClusterResource.getInstance()
            .doParse(TLS_ARGS, shadedCluster(only(snapshot, XdsType.CLUSTER, CLUSTER)));

    EnvoyServerProtoData.UpstreamTlsContext tls = cds.upstreamTlsContext();
    assertThat(tls).isNotNull();
    var common = tls.getCommonTlsContext();
    assertThat(common.getTlsCertificateProviderInstance().getInstanceName()).isEqualTo("default");
    var validation = common.getValidationContext();
    assertThat(validation.getCaCertificateProviderInstance().getCertificateName())
        .isEqualTo("ROOTCA");
    assertThat(validation.getMatchSubjectAltNamesList())
        .extracting(m -> m.getExact())
        .containsExactly("spiffe://cluster.local/ns/default/sa/reviews");
  }

  @Test
  void strictServerListenerIsAcceptedWithARequiredClientCertificate() throws Exception {
    String name = "xds.istio.io/grpc/lds/inbound/127.0.0.1:50051";
    MeshSnapshot strict =
        MeshSnapshot.build(
            MeshConfig.DEFAULT,
            GrpcMeshFixture.objects(),
            List.of(PeerAuthenticationPolicy.namespaceWide("default", "strict", MtlsMode.STRICT)));

    XdsListenerResource.LdsUpdate lds =
        XdsListenerResource.getInstance()
            .doParse(TLS_ARGS, shadedListener(only(strict, XdsType.LISTENER, name)));

    EnvoyServerProtoData.FilterChain chain = lds.listener().filterChains().get(0);
    assertThat(lds.listener().filterChains()).hasSize(1);
    assertThat(chain.name()).isEqualTo("inbound-mtls");
    assertThat(chain.sslContextProviderSupplier()).isNotNull();
    EnvoyServerProtoData.DownstreamTlsContext tls =
        (EnvoyServerProtoData.DownstreamTlsContext)
            chain.sslContextProviderSupplier().getTlsContext();
    assertThat(tls.isRequireClientCertificate()).isTrue();
    assertThat(tls.getCommonTlsContext().getTlsCertificateProviderInstance().getInstanceName())
        .isEqualTo("default");

    // PERMISSIVE (no policy) for an unlabelled workload: a plaintext chain.
    XdsListenerResource.LdsUpdate plain =
        XdsListenerResource.getInstance()
            .doParse(TLS_ARGS, shadedListener(only(snapshot(), XdsType.LISTENER, name)));
    assertThat(plain.listener().filterChains().get(0).sslContextProviderSupplier()).isNull();
  }

  /** The harness rejects what grpc-java rejects, so the tests above can fail. */
  @Test
  void harnessRejectsWhatGrpcNacks() throws Exception {
    io.envoyproxy.envoy.config.cluster.v3.Cluster maglev =
        ((io.envoyproxy.envoy.config.cluster.v3.Cluster) only(snapshot(), XdsType.CLUSTER, CLUSTER))
            .toBuilder()
                .setLbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.MAGLEV)
                .build();
    assertThatThrownBy(() -> XdsClusterResource.getInstance().doParse(ARGS, shadedCluster(maglev)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining("MAGLEV");

    io.envoyproxy.envoy.config.listener.v3.Listener ours =
        (io.envoyproxy.envoy.config.listener.v3.Listener)
            only(snapshot(), XdsType.LISTENER, "reviews:9080");
    var hcm =
        ours.getApiListener()
            .getApiListener()
            .unpack(
                io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                    .HttpConnectionManager.class);
    var swapped =
        hcm.toBuilder()
            .clearHttpFilters()
            .addHttpFilters(hcm.getHttpFilters(1))
            .addHttpFilters(hcm.getHttpFilters(0))
            .build();
    var bad =
        ours.toBuilder()
            .setApiListener(
                ours.getApiListener().toBuilder()
                    .setApiListener(com.google.protobuf.Any.pack(swapped)))
            .build();
    assertThatThrownBy(() -> XdsListenerResource.getInstance().doParse(ARGS, shadedListener(bad)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage("A terminal HttpFilter must be the last filter: envoy.filters.http.router");
  }

  /** grpc checks provider names against the bootstrap: a client without "default" NACKs. */
  @Test
  void tlsClusterIsRejectedWhenTheBootstrapLacksTheProvider() throws Exception {
    var cluster = shadedCluster(only(withIstioMutual(), XdsType.CLUSTER, CLUSTER));
    assertThatThrownBy(
            () -> XdsClusterResource.getInstance().doParse(argsWithProviders("other"), cluster))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageContaining(
            "CertificateProvider instance name 'default' not defined in the bootstrap file.");
  }

  private static MeshSnapshot withIstioMutual() {
    List<dev.meshctl.xds.model.ConfigObject> objects = new ArrayList<>(GrpcMeshFixture.objects());
    objects.addAll(
        MeshFixture.objects(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                tls: {mode: ISTIO_MUTUAL}
            """,
            "DestinationRule"));
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects);
  }

  private static Message only(MeshSnapshot snapshot, XdsType type, String name) {
    var out = generate(snapshot, "default", type, name);
    assertThat(out).containsOnlyKeys(name);
    return out.get(name);
  }

  private static io.grpc.xds.shaded.io.envoyproxy.envoy.config.listener.v3.Listener shadedListener(
      Message m) throws Exception {
    return io.grpc.xds.shaded.io.envoyproxy.envoy.config.listener.v3.Listener.parseFrom(
        m.toByteString());
  }

  private static io.grpc.xds.shaded.io.envoyproxy.envoy.config.route.v3.RouteConfiguration
      shadedRoute(Message m) throws Exception {
    return io.grpc.xds.shaded.io.envoyproxy.envoy.config.route.v3.RouteConfiguration.parseFrom(
        m.toByteString());
  }

  private static io.grpc.xds.shaded.io.envoyproxy.envoy.config.cluster.v3.Cluster shadedCluster(
      Message m) throws Exception {
    return io.grpc.xds.shaded.io.envoyproxy.envoy.config.cluster.v3.Cluster.parseFrom(
        m.toByteString());
  }
}
