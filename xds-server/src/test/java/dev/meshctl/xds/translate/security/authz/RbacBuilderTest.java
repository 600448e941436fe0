package dev.meshctl.xds.translate.security.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * AuthorizationPolicy to Envoy RBAC: policy selection per workload, one filter per action in
 * Istio's order with Istio's policy names, principals as SPIFFE IDs, HTTP-only attributes on TCP
 * chains (ALLOW rules dropped, DENY rules widened), and the RBAC filters on a sidecar's inbound
 * chains passing Envoy's validation rules.
 */
class RbacBuilderTest {
  private static List<IstioConfig> policies(String yaml) {
    return MeshFixture.objects(yaml, "test").stream().map(o -> ((IstioObject) o).config()).toList();
  }

  private static final String ALLOW_GET_FROM_CLIENT =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: allow-get, namespace: shop}
      spec:
        selector: {matchLabels: {app: reviews}}
        rules:
        - from:
          - source: {principals: ["cluster.local/ns/shop/sa/client"], namespaces: ["shop"]}
          to:
          - operation: {methods: ["GET"], paths: ["/api/*"]}
      ---
      """;

  private static final String DENY_ADMIN =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: deny-admin, namespace: shop}
      spec:
        action: DENY
        rules:
        - to:
          - operation: {paths: ["/admin"], ports: ["9080"]}
      ---
      """;

  @Test
  void denyComesBeforeAllowWithIstiosPolicyNames() {
    RbacBuilder.AuthzFilters f = RbacBuilder.of(policies(DENY_ADMIN + ALLOW_GET_FROM_CLIENT));
    assertThat(f.http()).hasSize(2);
    RBAC deny = rules(f, 0);
    RBAC allow = rules(f, 1);
    assertThat(deny.getAction()).isEqualTo(RBAC.Action.DENY);
    assertThat(deny.getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[deny-admin]-rule[0]");
    assertThat(allow.getAction()).isEqualTo(RBAC.Action.ALLOW);
    String allowText = allow.toString();
    assertThat(allowText)
        .contains("exact: \"spiffe://cluster.local/ns/shop/sa/client\"")
        .contains("regex: \".*/ns/\\\\Qshop\\\\E/.*\"")
        .contains("name: \":method\"")
        .contains("prefix: \"/api/\"");
  }

  @Test
  void onTcpChainsHttpOnlyAllowRulesAllowNothingAndDenyRulesDenyMore() {
    RbacBuilder.AuthzFilters f = RbacBuilder.of(policies(DENY_ADMIN + ALLOW_GET_FROM_CLIENT));
    assertThat(f.tcp()).hasSize(2);
    RBAC deny = tcpRules(f, 0);
    RBAC allow = tcpRules(f, 1);
    // The ALLOW rule needs methods and paths: gone, so the TCP ALLOW filter allows nothing.
    assertThat(allow.getPoliciesMap()).isEmpty();
    // The DENY rule keeps its port and drops its path: every connection to 9080 is denied.
    String denyText = deny.getPoliciesMap().get("ns[shop]-policy[deny-admin]-rule[0]").toString();
    assertThat(denyText).contains("destination_port: 9080").doesNotContain("/admin");
  }

  @Test
  void anAllowPolicyWithoutRulesDeniesEverything() {
    RbacBuilder.AuthzFilters f =
        RbacBuilder.of(
            policies(
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: allow-nothing, namespace: shop}
                spec: {}
                """));
    RBAC allow = rules(f, 0);
    assertThat(allow.getAction()).isEqualTo(RBAC.Action.ALLOW);
    assertThat(allow.getPoliciesMap()).isEmpty();
  }

  @Test
  void pathTemplatesBecomeRegexesSoADenyCannotBeMissed() {
    assertThat(AuthzMatchers.path("/a/{*}/b/{**}").getPath().getSafeRegex().getRegex())
        .isEqualTo("\\Q/a/\\E[^/]+\\Q/b/\\E.*");
    assertThat("/a/x/b/c/d")
        .matches(AuthzMatchers.path("/a/{*}/b/{**}").getPath().getSafeRegex().getRegex());
    assertThat("/a/x/y/b/c")
        .doesNotMatch(AuthzMatchers.path("/a/{*}/b/{**}").getPath().getSafeRegex().getRegex());
    assertThat(AuthzMatchers.path("/api/*").getPath().getPrefix()).isEqualTo("/api/");
  }

  /** Without an external authorizer a CUSTOM policy fails closed: its rules are denied. */
  @Test
  void customPoliciesFailClosedIntoTheDenyFilter() {
    RbacBuilder.AuthzFilters f =
        RbacBuilder.of(
            policies(
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: ext, namespace: shop}
                spec:
                  action: CUSTOM
                  provider: {name: opa}
                  rules:
                  - to:
                    - operation: {paths: ["/admin"]}
                """));
    assertThat(f.http()).hasSize(1);
    RBAC deny = rules(f, 0);
    assertThat(deny.getAction()).isEqualTo(RBAC.Action.DENY);
    assertThat(deny.getPoliciesMap())
        .containsOnlyKeys("ns[shop]-policy[ext]-rule[0]-deny-due-to-bad-CUSTOM-action");
    assertThat(deny.toString()).contains("/admin");
    assertThat(
            RbacBuilder.grpcHttpFilters(
                policies(
                    """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: ext, namespace: shop}
                spec: {action: CUSTOM, provider: {name: opa}, rules: [{}]}
                """)))
        .as("proxyless servers deny too")
        .hasSize(1);
  }

  @Test
  void noPoliciesNoFilters() {
    assertThat(RbacBuilder.of(List.of())).isEqualTo(RbacBuilder.AuthzFilters.NONE);
  }

  /** Selected workloads get the filters on every inbound chain but the blackhole; others none. */
  @Test
  void aSidecarsInboundChainsCarryItsPoliciesAndPassValidation() {
    String mesh =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: shop}
        spec:
          clusterIP: 10.96.0.7
          selector: {app: reviews}
          ports: [{name: http, port: 9080}, {name: tcp-db, port: 5432}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: reviews-1, namespace: shop, labels: {kubernetes.io/service-name: reviews}}
        addressType: IPv4
        ports: [{name: http, port: 9080}, {name: tcp-db, port: 5432}]
        endpoints: [{addresses: [10.0.0.5]}]
        ---
        """
            + DENY_ADMIN
            + ALLOW_GET_FROM_CLIENT;
    MeshSnapshot s = MeshFixture.snapshot(mesh);
    Listener reviews = inbound(s, "reviews");
    Listener other = inbound(s, "ratings");
    String text = reviews.toString();
    assertThat(text).contains("envoy.filters.http.rbac").contains("envoy.filters.network.rbac");
    // ratings is in shop too: the namespace-wide DENY applies, the reviews-only ALLOW does not.
    assertThat(other.toString()).contains("deny-admin").doesNotContain("allow-get");
    for (Listener l : List.of(reviews, other)) {
      assertThat(new PgvValidator().validate(l)).as(l.getName()).isEmpty();
    }
  }

  private static Listener inbound(MeshSnapshot s, String app) {
    Proxy p =
        MeshFixture.proxy(
            """
            id: sidecar~10.0.0.5~%1$s-1.shop~shop.svc.cluster.local
            metadata:
              NAMESPACE: shop
              LABELS: {app: %1$s}
            """
                .formatted(app));
    SortedMap<String, Message> lds =
        MeshFixture.generate(s, p, XdsType.LISTENER, Subscription.WILDCARD);
    return (Listener) lds.get("virtualInbound");
  }

  private static RBAC rules(RbacBuilder.AuthzFilters f, int i) {
    try {
      return f.http()
          .get(i)
          .getTypedConfig()
          .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class)
          .getRules();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static RBAC tcpRules(RbacBuilder.AuthzFilters f, int i) {
    try {
      return f.tcp()
          .get(i)
          .getTypedConfig()
          .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class)
          .getRules();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
