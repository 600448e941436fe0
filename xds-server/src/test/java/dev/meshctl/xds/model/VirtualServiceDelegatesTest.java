package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.StringMatch;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.VirtualService.HttpMatchRequest;
import dev.meshctl.crds.networking.VirtualService.HttpRoute;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Root and delegate VirtualServices merged as Istio merges them. */
class VirtualServiceDelegatesTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String SUFFIX = "cluster.local";

  private static final String ROOT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: root, namespace: front}
      spec:
        hosts: [reviews.back.svc.cluster.local]
        http:
        - name: r
          match:
          - uri: {prefix: /api}
            headers: {x-env: {exact: prod}}
          timeout: 5s
          headers:
            request:
              set: {x-root: "1"}
          delegate: {name: d, namespace: back}
        - name: last
          route:
          - destination: {host: reviews.back.svc.cluster.local}
      """;

  private static IstioConfig vs(String yaml) {
    try {
      Decoded d = KubeDecoder.decode(YAML.readTree(yaml)).get(0);
      assertThat(d).as(d.toString()).isInstanceOf(Decoded.Ok.class);
      return ((IstioObject) ((Decoded.Ok) d).object()).config();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String delegate(String exportTo, String http) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: d, namespace: back}
        spec:
          exportTo: %s
          http:
        %s"""
        .formatted(exportTo, http.indent(2));
  }

  private static VirtualServiceDelegates.Result merge(IstioConfig... configs) {
    return VirtualServiceDelegates.merge(SUFFIX, new ArrayList<>(List.of(configs)));
  }

  private static List<HttpRoute> rootRules(VirtualServiceDelegates.Result r) {
    assertThat(r.virtualServices()).hasSize(1);
    IstioConfig root = r.virtualServices().get(0);
    assertThat(root.name()).isEqualTo("root");
    return root.spec(VirtualService.class).http();
  }

  @Test
  void delegateRulesReplaceTheRootRuleWithMergedMatchesAndInheritedPolicies() {
    VirtualServiceDelegates.Result r =
        merge(
            vs(ROOT),
            vs(
                delegate(
                    "['*']",
                    """
                    - name: v2
                      match:
                      - uri: {prefix: /api/v2}
                        headers: {end-user: {exact: jason}}
                      timeout: 1s
                      route:
                      - destination: {host: reviews, subset: v2}
                    - route:
                      - destination: {host: reviews, subset: v1}
                    """)));
    List<HttpRoute> rules = rootRules(r);
    assertThat(r.warnings()).isEmpty();
    assertThat(rules).extracting(HttpRoute::name).containsExactly("r-v2", "r", "last");
    HttpRoute v2 = rules.get(0);
    assertThat(v2.delegate()).isNull();
    HttpMatchRequest m = v2.match().get(0);
    assertThat(v2.match()).hasSize(1);
    assertThat(m.uri()).isEqualTo(new StringMatch.Prefix("/api/v2"));
    assertThat(m.headers())
        .containsEntry("x-env", new StringMatch.Exact("prod"))
        .containsEntry("end-user", new StringMatch.Exact("jason"));
    // The delegate's own timeout wins; the root's headers fill the gap.
    assertThat(v2.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(v2.headers()).isEqualTo(rules.get(1).headers()).isNotNull();
    // A delegate rule without match takes the root's match and timeout.
    HttpRoute rest = rules.get(1);
    assertThat(rest.match()).isEqualTo(vs(ROOT).spec(VirtualService.class).http().get(0).match());
    assertThat(rest.timeout()).isEqualTo(Duration.ofSeconds(5));
    // Short hosts in the delegate mean its own namespace, not the root's.
    assertThat(rest.route().get(0).destination().host())
        .isEqualTo("reviews.back.svc.cluster.local");
  }

  @Test
  void aDelegateRuleOutsideTheRootMatchIsDropped() {
    VirtualServiceDelegates.Result r =
        merge(
            vs(ROOT),
            vs(
                delegate(
                    "[]",
                    """
                    - name: elsewhere
                      match:
                      - uri: {prefix: /web}
                      route:
                      - destination: {host: reviews}
                    - name: other-env
                      match:
                      - headers: {x-env: {exact: dev}}
                      route:
                      - destination: {host: reviews}
                    - name: regex
                      match:
                      - uri: {regex: /api/.*}
                      route:
                      - destination: {host: reviews}
                    - name: exact-inside
                      match:
                      - uri: {exact: /api/x}
                      route:
                      - destination: {host: reviews}
                    """)));
    assertThat(rootRules(r)).extracting(HttpRoute::name).containsExactly("r-exact-inside", "last");
  }

  @Test
  void stringMatchConflictsFollowIstio() {
    StringMatch prefix = new StringMatch.Prefix("/a");
    assertThat(VirtualServiceDelegates.conflicts(prefix, new StringMatch.Prefix("/a/b"))).isFalse();
    assertThat(VirtualServiceDelegates.conflicts(new StringMatch.Prefix("/a/b"), prefix)).isTrue();
    assertThat(VirtualServiceDelegates.conflicts(new StringMatch.Exact("/a"), prefix)).isTrue();
    assertThat(
            VirtualServiceDelegates.conflicts(
                new StringMatch.Exact("/a"), new StringMatch.Exact("/a")))
        .isFalse();
    assertThat(VirtualServiceDelegates.conflicts(null, new StringMatch.Regex(".*"))).isFalse();
    assertThat(VirtualServiceDelegates.conflicts(prefix, new StringMatch.Regex("/a.*"))).isTrue();
  }

  @Test
  void aMissingDelegateDropsTheRootRuleWithAWarning() {
    VirtualServiceDelegates.Result r = merge(vs(ROOT));
    assertThat(rootRules(r)).extracting(HttpRoute::name).containsExactly("last");
    assertThat(r.warnings())
        .containsExactly(
            "VirtualService front/root spec.http[0].delegate: VirtualService back/d not found;"
                + " rule dropped");
  }

  @Test
  void aDelegateNotExportedToTheRootNamespaceIsNotUsed() {
    String http =
        """
        - route:
          - destination: {host: reviews}
        """;
    VirtualServiceDelegates.Result hidden = merge(vs(ROOT), vs(delegate("['.']", http)));
    assertThat(rootRules(hidden)).extracting(HttpRoute::name).containsExactly("last");
    assertThat(hidden.warnings())
        .containsExactly(
            "VirtualService front/root spec.http[0].delegate: VirtualService back/d is not"
                + " exported to namespace front; rule dropped");
    VirtualServiceDelegates.Result shared = merge(vs(ROOT), vs(delegate("[front]", http)));
    assertThat(rootRules(shared)).extracting(HttpRoute::name).containsExactly("r", "last");
    assertThat(shared.warnings()).isEmpty();
  }

  @Test
  void delegatesAreNotIndexedAndPlainVirtualServicesPassUnchanged() {
    IstioConfig plain =
        vs(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: plain, namespace: front}
            spec:
              hosts: [ratings]
              http:
              - route:
                - destination: {host: ratings}
            """);
    IstioConfig d =
        vs(
            delegate(
                "[]",
                """
                - route:
                  - destination: {host: reviews}
                """));
    VirtualServiceDelegates.Result r = merge(plain, d);
    assertThat(r.virtualServices()).containsExactly(plain);
  }
}
