package dev.meshctl.xds.translate.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * VirtualService redirect ports, as Istio writes them: {@code derivePort: FROM_REQUEST_PORT} is the
 * routed port, {@code FROM_PROTOCOL_DEFAULT} no port, and an explicit {@code :80} for http (or
 * {@code :443} for https) is left out of the location.
 */
class RedirectPortTest {
  @Test
  void redirectPortsFollowIstio() {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          clusterIP: 10.96.0.8
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web]
          http:
          - name: request-port
            match: [{uri: {prefix: /a}}]
            redirect: {uri: /x, derivePort: FROM_REQUEST_PORT}
          - name: protocol-default
            match: [{uri: {prefix: /b}}]
            redirect: {uri: /x, derivePort: FROM_PROTOCOL_DEFAULT}
          - name: http-80
            match: [{uri: {prefix: /c}}]
            redirect: {uri: /x, port: 80}
          - name: https-443
            match: [{uri: {prefix: /d}}]
            redirect: {uri: /x, port: 443, scheme: https}
          - name: https-8443
            match: [{uri: {prefix: /e}}]
            redirect: {uri: /x, port: 8443, scheme: https}
        """;
    MeshSnapshot s = MeshFixture.snapshot(yaml);
    Proxy p =
        MeshFixture.proxy(
            "id: sidecar~10.0.0.5~client-1.shop~shop.svc.cluster.local\n"
                + "metadata: {NAMESPACE: shop}\n");
    RouteConfiguration rc =
        (RouteConfiguration)
            MeshFixture.generate(s, p, XdsType.ROUTE, Subscription.names(Set.of("9080")))
                .get("9080");
    Map<String, RedirectAction> byName = new HashMap<>();
    for (Route r : rc.getVirtualHosts(0).getRoutesList()) {
      if (r.hasRedirect()) {
        byName.put(r.getName(), r.getRedirect());
      }
    }
    assertThat(byName).hasSize(5);
    assertThat(byName.get("request-port").getPortRedirect()).isEqualTo(9080);
    assertThat(byName.get("protocol-default").getPortRedirect()).isZero();
    assertThat(byName.get("http-80").getPortRedirect()).isZero();
    assertThat(byName.get("https-443").getPortRedirect()).isZero();
    assertThat(byName.get("https-8443").getPortRedirect()).isEqualTo(8443);
  }
}
