package io.grpc.xds;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.REVIEWS_FQDN;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.generate;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.endpoint.EndpointTranslator;
import io.grpc.InsecureChannelCredentials;
import io.grpc.xds.client.Bootstrapper;
import io.grpc.xds.client.EnvoyProtoData;
import io.grpc.xds.client.XdsResourceType;
import io.grpc.xds.client.XdsResourceType.ResourceInvalidException;
import java.util.List;
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
