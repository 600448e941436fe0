package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Binding, host intersection and namespace rules of gateway virtual hosts. */
class GatewayRoutesTest {
  private static final Proxy PROXY =
      MeshFixture.proxy(
          """
          id: router~10.0.0.9~gw-1.istio-system~istio-system.svc.cluster.local
          metadata:
            NAMESPACE: istio-system
            LABELS: {istio: ingressgateway}
          """);

  private static final String GATEWAY =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["apps/*.example.com", "./admin.example.com"]
      ---
      """;

  private static String vs(String name, String ns, String host, String gateways, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: ["%s"]
          gateways: %s
          http:
          %s- route:
            - destination: {host: backend.%s.svc.cluster.local, port: {number: 80}}
        ---
        """
        .formatted(name, ns, host, gateways, extra, ns);
  }

  private static Map<String, VirtualHost> vhosts(String yaml) {
    MeshSnapshot snapshot =
        MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(yaml, "test"));
    List<RouteConfiguration> rcs =
        GatewayRoutes.translate(snapshot, PROXY, MergedGateway.of(snapshot, PROXY));
    assertThat(rcs).extracting(RouteConfiguration::getName).containsExactly("http.80");
    Map<String, VirtualHost> out = new TreeMap<>();
    rcs.get(0).getVirtualHostsList().forEach(v -> out.put(v.getName(), v));
    return out;
  }

  @Test
  void namespaceRestrictedHostsOnlyBindVirtualServicesOfThatNamespace() {
    Map<String, VirtualHost> v =
        vhosts(
            GATEWAY
                + vs("a", "apps", "shop.example.com", "[istio-system/gw]", "")
                + vs("b", "other", "blog.example.com", "[istio-system/gw]", ""));
    assertThat(v).containsOnlyKeys("shop.example.com:80");
    assertThat(v.get("shop.example.com:80").getDomainsList()).containsExactly("shop.example.com");
    assertThat(v.get("shop.example.com:80").getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|80||backend.apps.svc.cluster.local");
  }

  @Test
  void shortGatewayNameResolvesInTheVirtualServicesNamespace() {
    // "gw" from apps means apps/gw, which does not exist: nothing binds, blackhole 404.
    Map<String, VirtualHost> v = vhosts(GATEWAY + vs("a", "apps", "shop.example.com", "[gw]", ""));
    assertThat(v).containsOnlyKeys("blackhole:80");
    assertThat(v.get("blackhole:80").getDomainsList()).containsExactly("*");
    assertThat(v.get("blackhole:80").getRoutesList()).isEmpty();
    // From the Gateway's own namespace the short name binds ("./admin" host).
    Map<String, VirtualHost> own =
        vhosts(GATEWAY + vs("adm", "istio-system", "admin.example.com", "[gw]", ""));
    assertThat(own).containsOnlyKeys("admin.example.com:80");
  }

  @Test
  void matchGatewaysRestrictRulesToTheNamedGateway() {
    // A rule for the mesh only, then the catch-all rule for everyone.
    String extra =
        "- {match: [{uri: {prefix: /mesh-only}, gateways: [mesh]}],"
            + " route: [{destination: {host: other.apps.svc.cluster.local}}]}\n  ";
    Map<String, VirtualHost> v =
        vhosts(GATEWAY + vs("a", "apps", "shop.example.com", "[istio-system/gw, mesh]", extra));
    assertThat(v.get("shop.example.com:80").getRoutesList())
        .extracting(r -> r.getRoute().getCluster())
        .containsExactly("outbound|80||backend.apps.svc.cluster.local");
  }
}
