package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.original_src.v3.OriginalSrc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Istio's traffic interception modes on generated sidecar config: REDIRECT (the default) and TPROXY
 * through the virtual listeners, NONE with a real socket per listener ({@code INTERCEPTION_MODE}
 * node metadata, set by the injector from {@code sidecar.istio.io/interceptionMode}).
 */
class InterceptionModeTest {
  static final String WORLD =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{name: http, port: 8080}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: legacy, namespace: shop}
      spec: {clusterIP: 10.96.0.2, selector: {app: legacy}, ports: [{name: http, port: 80}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: shop}
      spec: {clusterIP: 10.96.0.3, selector: {app: db}, ports: [{name: tcp, port: 5432}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: me, namespace: shop}
      spec: {clusterIP: 10.96.0.4, selector: {app: me}, ports: [{name: http, port: 9080}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: me-1, namespace: shop, labels: {app: me}}
      spec: {containers: [{name: c, ports: [{containerPort: 9080}]}]}
      status: {podIP: 10.0.0.5}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: me-1, namespace: shop, labels: {kubernetes.io/service-name: me}}
      addressType: IPv4
      ports: [{name: http, port: 9080}]
      endpoints:
      - addresses: [10.0.0.5]
        conditions: {ready: true}
        targetRef: {kind: Pod, namespace: shop, name: me-1}
      """;

  static final String INGRESS_SIDECAR =
      """
      ---
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: shop}
      spec:
        ingress:
        - port: {number: 9080, protocol: HTTP, name: http}
          defaultEndpoint: 127.0.0.1:19080
          %s
        egress:
        - hosts: ["./*"]
      """;

  static XdsDump dump(String yaml, String metadata) {
    MeshSnapshot s = MeshFixture.snapshot(yaml);
    Proxy p =
        MeshFixture.proxy(
            """
            id: sidecar~10.0.0.5~me-1.shop~shop.svc.cluster.local
            metadata: {NAMESPACE: shop, LABELS: {app: me}%s}
            """
                .formatted(metadata));
    return XdsDump.generate(new MeshFixture(s, p));
  }

  static Listener listener(XdsDump d, String name) {
    return (Listener) d.listeners().get(name);
  }

  static List<String> filters(Listener l) {
    return l.getListenerFiltersList().stream().map(ListenerFilter::getName).toList();
  }

  @Test
  void noneModeHasNoVirtualListenersAndBindsEveryOutboundListenerOnLoopback() {
    XdsDump d = dump(WORLD, ", INTERCEPTION_MODE: NONE");
    assertThat(d.listeners().keySet())
        .containsExactly("127.0.0.1_5432", "127.0.0.1_80", "127.0.0.1_8080", "127.0.0.1_9080");
    Listener web = listener(d, "127.0.0.1_8080");
    assertThat(web.hasBindToPort()).as("bind_to_port defaults to true").isFalse();
    // Without a Sidecar ingress nothing is served inbound (the app owns its ports).
    assertThat(d.clusters().keySet()).noneMatch(n -> n.startsWith("inbound|9080"));
    RouteSimulator.Result r =
        new RouteSimulator(d).outboundHttp("127.0.0.1", 8080, "web.shop.svc.cluster.local", "/");
    assertThat(r.cluster()).isEqualTo("outbound|8080||web.shop.svc.cluster.local");
    RouteSimulator.Result tcp = new RouteSimulator(d).outboundTcp("127.0.0.1", 5432);
    assertThat(tcp.cluster()).isEqualTo("outbound|5432||db.shop.svc.cluster.local");
    assertValid(d);
  }

  @Test
  void noneModeServesSidecarIngressPortsOnListenersOfTheirOwn() {
    XdsDump d = dump(WORLD + INGRESS_SIDECAR.formatted(""), ", INTERCEPTION_MODE: NONE");
    Listener in = listener(d, "10.0.0.5_9080");
    assertThat(in.getAddress().getSocketAddress().getAddress()).isEqualTo("10.0.0.5");
    assertThat(filters(in)).doesNotContain(TypedConfigs.ORIGINAL_DST);
    assertThat(in.getFilterChainsList()).allMatch(c -> c.getName().equals("10.0.0.5_9080"));
    assertThat(d.listeners()).doesNotContainKey("virtualInbound");
    assertThat(d.clusters()).containsKey("inbound|9080||");
    assertValid(d);
  }

  @Test
  void captureModeNoneOnAnIngressPortGivesItAListenerInRedirectModeToo() {
    XdsDump d = dump(WORLD + INGRESS_SIDECAR.formatted("captureMode: NONE"), "");
    assertThat(d.listeners()).containsKeys("virtualInbound", "virtualOutbound", "10.0.0.5_9080");
    Listener virtual = listener(d, "virtualInbound");
    assertThat(virtual.getFilterChainsList())
        .noneMatch(c -> c.getFilterChainMatch().getDestinationPort().getValue() == 9080);
    // The outbound side is unchanged: iptables still redirects.
    assertThat(listener(d, "0.0.0.0_8080").getBindToPort().getValue()).isFalse();
    assertValid(d);
  }

  @Test
  void tproxyMakesTheVirtualListenersTransparentAndKeepsTheClientsSource() throws Exception {
    XdsDump d = dump(WORLD, ", INTERCEPTION_MODE: TPROXY");
    assertThat(listener(d, "virtualOutbound").getTransparent().getValue()).isTrue();
    Listener in = listener(d, "virtualInbound");
    assertThat(in.getTransparent().getValue()).isTrue();
    assertThat(filters(in)).startsWith(TypedConfigs.ORIGINAL_DST, TypedConfigs.ORIGINAL_SRC);
    assertThat(in.getListenerFilters(1).getTypedConfig().unpack(OriginalSrc.class).getMark())
        .isEqualTo(1337);
    XdsDump redirect = dump(WORLD, "");
    assertThat(listener(redirect, "virtualOutbound").hasTransparent()).isFalse();
    assertThat(filters(listener(redirect, "virtualInbound")))
        .doesNotContain(TypedConfigs.ORIGINAL_SRC);
    assertValid(d);
  }

  @Test
  void anUnprivilegedProxySkipsPortsBelow1024ItWouldHaveToBind() {
    XdsDump d = dump(WORLD, ", INTERCEPTION_MODE: NONE, UNPRIVILEGED_POD: \"true\"");
    assertThat(d.listeners()).doesNotContainKey("127.0.0.1_80").containsKey("127.0.0.1_8080");
    // With iptables nothing binds, so port 80 stays.
    XdsDump redirect = dump(WORLD, ", UNPRIVILEGED_POD: \"true\"");
    assertThat(redirect.listeners()).containsKey("0.0.0.0_80");
  }

  private static void assertValid(XdsDump d) {
    PgvValidator validator = new PgvValidator();
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, Message> e : d.listeners().entrySet()) {
      validator.validate(e.getValue()).forEach(v -> violations.add(e.getKey() + ": " + v));
    }
    assertThat(violations).isEmpty();
  }
}
