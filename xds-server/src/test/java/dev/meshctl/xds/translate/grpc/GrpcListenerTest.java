package dev.meshctl.xds.translate.grpc;

import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.REVIEWS_FQDN;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.generate;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.proxy;
import static dev.meshctl.xds.translate.grpc.GrpcMeshFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcListenerTest {

  @Test
  void clientListenerForFqdnRoutesOverAdsWithFaultThenRouter() throws Exception {
    String name = REVIEWS_FQDN + ":9080";
    SortedMap<String, Message> out = generate(snapshot(), "default", XdsType.LISTENER, name);

    assertThat(out).containsOnlyKeys(name);
    Listener listener = (Listener) out.get(name);
    assertThat(listener.getName()).isEqualTo(name);
    assertThat(listener.getApiListener().getApiListener().getTypeUrl())
        .isEqualTo(
            "type.googleapis.com/"
                + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    HttpConnectionManager hcm = hcm(listener);
    assertThat(hcm.getRds().getRouteConfigName())
        .isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getRds().getConfigSource().getResourceApiVersion()).isEqualTo(ApiVersion.V3);
    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.fault", "envoy.filters.http.router");
    assertThat(hcm.getHttpFiltersList())
        .extracting(f -> f.getTypedConfig().getTypeUrl())
        .containsExactly(
            "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
            "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
    assertThat(listener.getAddress().getSocketAddress().getAddress()).isEqualTo("10.96.0.5");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(9080);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "reviews:9080",
        "reviews.default:9080",
        "reviews.default.svc:9080",
        "reviews.default.svc.cluster.local.:9080",
        "Reviews.Default:9080"
      })
  void shortNamesFromTheSameNamespaceKeepTheRequestedNameAndPointAtTheFqdnRoute(String name)
      throws Exception {
    SortedMap<String, Message> out = generate(snapshot(), "default", XdsType.LISTENER, name);

    assertThat(out).containsOnlyKeys(name);
    Listener listener = (Listener) out.get(name);
    assertThat(listener.getName()).isEqualTo(name);
    assertThat(hcm(listener).getRds().getRouteConfigName())
        .isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
  }

  @Test
  void fromAnotherNamespaceOnlyNamespaceQualifiedNamesResolve() throws Exception {
    SortedMap<String, Message> out =
        generate(
            snapshot(),
            "prod",
            XdsType.LISTENER,
            "reviews:9080",
            "reviews.default:9080",
            "reviews.default.svc:9080",
            "ratings:7070");

    assertThat(out)
        .containsOnlyKeys("reviews.default:9080", "reviews.default.svc:9080", "ratings:7070");
    assertThat(hcm((Listener) out.get("ratings:7070")).getRds().getRouteConfigName())
        .isEqualTo("outbound|7070||ratings.prod.svc.cluster.local");
  }

  @Test
  void eachRequestedFormGetsItsOwnListenerForTheSameService() {
    SortedMap<String, Message> out =
        generate(snapshot(), "default", XdsType.LISTENER, "reviews:9080", "reviews:8080");

    assertThat(out).containsOnlyKeys("reviews:8080", "reviews:9080");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "unknown:9080",
        "reviews:1234",
        "reviews",
        "reviews.default.svc.cluster:9080",
        "reviews.other:9080",
        "a.b.c.d:9080",
        "reviews:notaport",
        ":9080",
        "reviews:99999",
        "xds.istio.io/grpc/lds/inbound/not-an-ip:8080",
        "xds.istio.io/grpc/lds/inbound/10.0.0.1",
        ""
      })
  void unknownHostPortOrMalformedNameGivesNoListener(String name) {
    assertThat(generate(snapshot(), "default", XdsType.LISTENER, name)).isEmpty();
  }

  @Test
  void serverListenerEchoesTheRequestedAddressWithAnInlineNonForwardingRoute() throws Exception {
    String name = "xds.istio.io/grpc/lds/inbound/127.0.0.1:50051";
    SortedMap<String, Message> out = generate(snapshot(), "default", XdsType.LISTENER, name);

    assertThat(out).containsOnlyKeys(name);
    Listener listener = (Listener) out.get(name);
    assertThat(listener.getName()).isEqualTo(name);
    assertThat(listener.hasApiListener()).isFalse();
    assertThat(listener.getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(50051);
    assertThat(listener.getTrafficDirection()).isEqualTo(TrafficDirection.INBOUND);
    assertThat(listener.getListenerFiltersList()).isEmpty();
    assertThat(listener.hasUseOriginalDst()).isFalse();
    assertThat(listener.getFilterChainsList()).hasSize(1);
    FilterChain chain = listener.getFilterChains(0);
    assertThat(chain.getName()).isEqualTo("inbound-plaintext");
    assertThat(chain.hasFilterChainMatch()).isFalse();
    assertThat(chain.hasTransportSocket()).isFalse();
    assertThat(chain.getFiltersList()).hasSize(1);
    assertThat(chain.getFilters(0).getName())
        .isEqualTo("envoy.filters.network.http_connection_manager");
    HttpConnectionManager hcm =
        chain.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.router");
    RouteConfiguration inbound = hcm.getRouteConfig();
    assertThat(inbound.getName()).isEqualTo("inbound");
    assertThat(inbound.getVirtualHostsList()).hasSize(1);
    assertThat(inbound.getVirtualHosts(0).getDomainsList()).containsExactly("*");
    assertThat(inbound.getVirtualHosts(0).getRoutesList()).hasSize(1);
    Route route = inbound.getVirtualHosts(0).getRoutes(0);
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.hasNonForwardingAction()).isTrue();
  }

  @Test
  void serverListenerForWildcardAndIpv6BindAddresses() {
    String any = "xds.istio.io/grpc/lds/inbound/0.0.0.0:8080";
    String v6 = "xds.istio.io/grpc/lds/inbound/[::1]:8080";
    SortedMap<String, Message> out = generate(snapshot(), "prod", XdsType.LISTENER, any, v6);

    assertThat(out).containsOnlyKeys(any, v6);
    assertThat(((Listener) out.get(any)).getAddress().getSocketAddress().getAddress())
        .isEqualTo("0.0.0.0");
    // Bare IPv6 in the socket address, as Envoy expects; brackets only in the name.
    assertThat(((Listener) out.get(v6)).getAddress().getSocketAddress().getAddress())
        .isEqualTo("::1");
  }

  @Test
  void wildcardGivesAClientListenerPerServicePortNamedByFqdn() {
    SortedMap<String, Message> out =
        new GrpcGenerator()
            .generate(
                new TranslationContext(snapshot()),
                proxy("default"),
                XdsType.LISTENER,
                Subscription.WILDCARD);

    assertThat(out.keySet())
        .containsExactly(
            "db.default.svc.cluster.local:5432",
            "ratings.prod.svc.cluster.local:7070",
            "reviews.default.svc.cluster.local:8080",
            "reviews.default.svc.cluster.local:9080");
    // A headless service has no VIP: the (ignored) address is the unspecified one, as in Istio.
    assertThat(
            ((Listener) out.get("db.default.svc.cluster.local:5432"))
                .getAddress()
                .getSocketAddress()
                .getAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void sameInputTwiceGivesEqualListeners() {
    List<String> names =
        List.of(
            "reviews:9080",
            "ratings.prod:7070",
            "xds.istio.io/grpc/lds/inbound/10.0.0.7:9080",
            REVIEWS_FQDN + ":8080");
    String[] array = names.toArray(String[]::new);
    SortedMap<String, Message> first = generate(snapshot(), "default", XdsType.LISTENER, array);
    SortedMap<String, Message> second =
        generate(GrpcMeshFixture.snapshotReversed(), "default", XdsType.LISTENER, array);

    assertThat(first).hasSize(4).isEqualTo(second);
    first.forEach((k, v) -> assertThat(v.toByteString()).isEqualTo(second.get(k).toByteString()));
  }

  private static HttpConnectionManager hcm(Listener listener)
      throws InvalidProtocolBufferException {
    return listener.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
  }
}
