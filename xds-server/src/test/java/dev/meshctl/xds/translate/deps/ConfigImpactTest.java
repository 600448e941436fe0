package dev.meshctl.xds.translate.deps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link ConfigImpact}, one per test: which proxies a change of each kind reaches,
 * given Sidecar scoping, exportTo, gateway binding and proxyless subscriptions.
 */
class ConfigImpactTest {
  /** Services a (namespace a) and b (namespace b); namespace a imports only its own hosts. */
  private static final String BASE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: a, namespace: a}
      spec:
        clusterIP: 10.96.0.1
        ports: [{name: http, port: 80}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: b, namespace: b}
      spec:
        clusterIP: 10.96.0.2
        ports: [{name: http, port: 80}]
      ---
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: a}
      spec:
        egress:
        - hosts: ["./*"]
      ---
      """;

  private static final Proxy IN_A = sidecar("a");
  private static final Proxy IN_B = sidecar("b");
  private static final Proxy IN_C = sidecar("c");

  private static MeshSnapshot mesh(String extra) {
    return MeshFixture.snapshot(BASE + extra);
  }

  private static ConfigImpact impact(String before, String after, ConfigKey key) {
    return ConfigImpact.of(mesh(before), mesh(after), List.of(key));
  }

  private static String virtualService(String ns, String host, String timeout, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: %s}
        spec:
          hosts: [%s]
          %s
          http:
          - timeout: %s
            route:
            - destination: {host: %s}
        ---
        """
        .formatted(ns, host, extra, timeout, host);
  }

  @Test
  void aVirtualServiceReachesOnlyTheSidecarsThatSeeItsHost() {
    ConfigKey key = ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "b", "vs");
    ConfigImpact i =
        impact(
            virtualService("b", "b.b.svc.cluster.local", "1s", ""),
            virtualService("b", "b.b.svc.cluster.local", "2s", ""),
            key);
    assertThat(i.hosts()).containsExactly("b.b.svc.cluster.local");
    assertThat(i.reaches(IN_A)).as("namespace a imports only ./*").isFalse();
    assertThat(i.reaches(IN_B)).isTrue();
    assertThat(i.reaches(IN_C)).as("no Sidecar: sees every host").isTrue();
    assertThat(i.reaches(router("istio-system"))).as("gateways may route any host").isTrue();
  }

  /** A host no service has is served on every Envoy sidecar's port 80: all of them are reached. */
  @Test
  void aVirtualServiceHostWithoutAServiceReachesEveryEnvoySidecar() {
    ConfigImpact i =
        impact(
            "",
            virtualService("b", "external.example.com", "2s", ""),
            ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "b", "vs"));
    assertThat(i.reaches(IN_A)).as("even behind a Sidecar ./*: port 80 routes").isTrue();
    assertThat(i.reaches(IN_C)).isTrue();
    assertThat(i.reaches(proxyless("c"), Subscription.names(Set.of("b.b.svc.cluster.local:80"))))
        .as("proxyless clients ask by name")
        .isFalse();
  }

  @Test
  void exportToLimitsWhoSeesAService() {
    String hidden =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: c
          namespace: c
          annotations: {networking.istio.io/exportTo: "."}
        spec:
          clusterIP: 10.96.0.3
          ports: [{name: http, port: 80}]
        ---
        """;
    ConfigImpact i = impact("", hidden, ConfigKey.of(ConfigKind.SERVICE, "c", "c"));
    assertThat(i.hosts()).containsExactly("c.c.svc.cluster.local");
    assertThat(i.reaches(IN_C)).isTrue();
    assertThat(i.reaches(IN_B)).as("exported to its own namespace only").isFalse();
  }

  @Test
  void aGatewayOnlyVirtualServiceReachesRoutersNotSidecars() {
    ConfigKey key = ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "b", "vs");
    ConfigImpact i =
        impact("", virtualService("b", "b.example.com", "2s", "gateways: [istio-system/gw]"), key);
    assertThat(i.hosts()).isEmpty();
    assertThat(i.reaches(IN_B)).isFalse();
    assertThat(i.reaches(IN_C)).isFalse();
    assertThat(i.reaches(router("istio-system"))).isTrue();
  }

  @Test
  void aSidecarReachesItsNamespaceAndTheRootNamespaceDefaultReachesEveryone() {
    String sidecarB =
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: %s}
        spec:
          egress:
          - hosts: ["./*"]
        ---
        """;
    ConfigImpact b =
        impact("", sidecarB.formatted("b"), ConfigKey.of(ConfigKind.SIDECAR, "b", "default"));
    assertThat(b.namespaces()).containsExactly("b");
    assertThat(b.reaches(IN_B)).isTrue();
    assertThat(b.reaches(IN_C)).isFalse();
    ConfigImpact root =
        impact(
            "",
            sidecarB.formatted("istio-system"),
            ConfigKey.of(ConfigKind.SIDECAR, "istio-system", "default"));
    assertThat(root.everyone()).isTrue();
  }

  @Test
  void aDestinationRuleAlsoReachesTheHostsRoutingToIt() {
    // Namespace a's VirtualService routes a -> b: its route hash policy reads b's rule.
    String route =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: to-b, namespace: a}
        spec:
          hosts: [a]
          http:
          - route:
            - destination: {host: b.b.svc.cluster.local}
        ---
        """;
    String rule =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: b, namespace: b}
        spec:
          host: b.b.svc.cluster.local
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
        ---
        """;
    ConfigImpact i =
        impact(route, route + rule, ConfigKey.of(ConfigKind.DESTINATION_RULE, "b", "b"));
    assertThat(i.hosts()).containsExactly("a.a.svc.cluster.local", "b.b.svc.cluster.local");
    assertThat(i.reaches(IN_A)).as("sees a, whose route goes to b").isTrue();
  }

  @Test
  void authorizationPoliciesReachTheirNamespaceAndPeerAuthenticationReachesEveryone() {
    ConfigImpact authz =
        ConfigImpact.of(
            mesh(""),
            mesh(""),
            List.of(ConfigKey.of(ConfigKind.AUTHORIZATION_POLICY, "b", "deny")));
    assertThat(authz.reaches(IN_B)).isTrue();
    assertThat(authz.reaches(IN_A)).isFalse();
    assertThat(
            ConfigImpact.of(
                    mesh(""),
                    mesh(""),
                    List.of(ConfigKey.of(ConfigKind.AUTHORIZATION_POLICY, "istio-system", "x")))
                .everyone())
        .isTrue();
    assertThat(
            ConfigImpact.of(
                    mesh(""),
                    mesh(""),
                    List.of(ConfigKey.of(ConfigKind.PEER_AUTHENTICATION, "b", "strict")))
                .everyone())
        .isTrue();
  }

  @Test
  void aChangeThatAltersNothingTheTranslatorsReadReachesNobody() {
    String vs = virtualService("b", "b.b.svc.cluster.local", "1s", "");
    ConfigImpact i = impact(vs, vs, ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "b", "vs"));
    assertThat(i.isEmpty()).isTrue();
    assertThat(i.reaches(IN_C)).isFalse();
    assertThat(i.reaches(router("istio-system"))).isFalse();
  }

  @Test
  void aProxylessClientIsReachedOnlyForTheNamesItSubscribesTo() {
    ConfigImpact i =
        impact(
            virtualService("b", "b.b.svc.cluster.local", "1s", ""),
            virtualService("b", "b.b.svc.cluster.local", "2s", ""),
            ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "b", "vs"));
    Proxy grpc = proxyless("c");
    assertThat(i.reaches(grpc, Subscription.names(Set.of("b.b.svc.cluster.local:80")))).isTrue();
    assertThat(i.reaches(grpc, Subscription.names(Set.of("outbound|80||b.b.svc.cluster.local"))))
        .isTrue();
    assertThat(i.reaches(grpc, Subscription.names(Set.of("a.a.svc.cluster.local:80")))).isFalse();
    assertThat(i.reaches(grpc, Subscription.names(Set.of("xds.istio.io/grpc/lds/inbound/[::]:80"))))
        .isFalse();
    assertThat(i.reaches(grpc, Subscription.WILDCARD)).isTrue();
  }

  private static Proxy sidecar(String ns) {
    return proxy(Proxy.ProxyType.SIDECAR, Proxy.Generator.ENVOY, ns);
  }

  private static Proxy proxyless(String ns) {
    return proxy(Proxy.ProxyType.SIDECAR, Proxy.Generator.GRPC, ns);
  }

  private static Proxy router(String ns) {
    return proxy(Proxy.ProxyType.ROUTER, Proxy.Generator.ENVOY, ns);
  }

  private static Proxy proxy(Proxy.ProxyType type, Proxy.Generator generator, String ns) {
    String id = "p." + ns;
    return new Proxy(
        type,
        List.of("10.0.0.9"),
        id,
        ns + ".svc.cluster.local",
        ns,
        Map.of("app", "p"),
        "default",
        generator,
        "",
        "",
        type.wireName() + "~10.0.0.9~" + id + "~" + ns + ".svc.cluster.local");
  }
}
