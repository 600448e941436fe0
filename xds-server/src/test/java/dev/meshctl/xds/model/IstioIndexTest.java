package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.xds.testing.MeshFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which VirtualServices and DestinationRules a proxy sees for a host, as Istio decides. */
class IstioIndexTest {
  private static final String REVIEWS = "reviews.default.svc.cluster.local";

  @Test
  void shortHostsResolveInTheVirtualServicesNamespace() {
    MeshSnapshot s =
        snapshot(vs("default", "a", "[reviews]", ""), vs("prod", "b", "[reviews]", ""));
    assertThat(names(s.virtualServices().forHost(REVIEWS, "default"))).containsExactly("default/a");
    assertThat(names(s.virtualServices().forHost("reviews.prod.svc.cluster.local", "default")))
        .containsExactly("prod/b");
  }

  @Test
  void exportToDotHidesAVirtualServiceFromOtherNamespaces() {
    MeshSnapshot s = snapshot(vs("default", "a", "[reviews]", "exportTo: ['.']"));
    assertThat(names(s.virtualServices().forHost(REVIEWS, "default"))).containsExactly("default/a");
    assertThat(s.virtualServices().forHost(REVIEWS, "prod")).isEmpty();
  }

  @Test
  void severalVirtualServicesForOneHostMergeInNamespaceNameOrderWithAWarning() {
    MeshSnapshot s =
        snapshot(
            vs("default", "zeta", "[reviews]", ""),
            vs("default", "alpha", "[reviews.default.svc.cluster.local]", ""));
    assertThat(names(s.virtualServices().forHost(REVIEWS, "default")))
        .containsExactly("default/alpha", "default/zeta");
    assertThat(s.virtualServices().warnings())
        .containsExactly(
            "host reviews.default.svc.cluster.local is bound by several VirtualServices; their"
                + " HTTP routes are merged in (namespace, name) order: VirtualService"
                + " default/alpha, VirtualService default/zeta");
  }

  @Test
  void exactHostsBeatWildcardsAndGatewayOnlyRulesAreNotForSidecars() {
    MeshSnapshot s =
        snapshot(
            vs("default", "wild", "['*.default.svc.cluster.local']", ""),
            vs("prod", "gw", "[ratings]", "gateways: [bookinfo-gateway]"));
    assertThat(names(s.virtualServices().forHost(REVIEWS, "default")))
        .containsExactly("default/wild");
    assertThat(s.virtualServices().forHost("ratings.prod.svc.cluster.local", "default")).isEmpty();
    MeshSnapshot both =
        snapshot(
            vs("default", "wild", "['*.default.svc.cluster.local']", ""),
            vs("default", "exact", "[reviews]", ""));
    assertThat(names(both.virtualServices().forHost(REVIEWS, "default")))
        .containsExactly("default/exact");
  }

  @Test
  void destinationRuleLookupTriesProxyNamespaceThenServiceNamespaceThenRoot() {
    MeshSnapshot s =
        snapshot(
            dr("istio-system", "root", REVIEWS, ""),
            dr("default", "own", "reviews", ""),
            dr("prod", "client-side", REVIEWS, ""));
    DestinationRuleIndex drs = s.destinationRules();
    assertThat(drs.forHost(REVIEWS, "prod", "default").map(IstioConfig::name))
        .contains("client-side");
    assertThat(drs.forHost(REVIEWS, "default", "default").map(IstioConfig::name)).contains("own");
    assertThat(drs.forHost(REVIEWS, "other", "default").map(IstioConfig::name)).contains("own");
    MeshSnapshot rootOnly = snapshot(dr("istio-system", "root", REVIEWS, ""));
    assertThat(
            rootOnly.destinationRules().forHost(REVIEWS, "other", "default").map(IstioConfig::name))
        .contains("root");
  }

  @Test
  void destinationRuleExportedOnlyToItsNamespaceIsInvisibleElsewhere() {
    MeshSnapshot s = snapshot(dr("default", "private", "reviews", "exportTo: ['.']"));
    assertThat(s.destinationRules().forHost(REVIEWS, "default", "default")).isPresent();
    assertThat(s.destinationRules().forHost(REVIEWS, "prod", "default")).isEmpty();
  }

  private static String vs(String ns, String name, String hosts, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: %s
          %s
          http:
          - route:
            - destination: {host: reviews}
        """
        .formatted(name, ns, hosts, extra);
  }

  private static String dr(String ns, String name, String host, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: %s}
        spec:
          host: %s
          %s
          subsets: [{name: v1, labels: {version: v1}}]
        """
        .formatted(name, ns, host, extra);
  }

  private static MeshSnapshot snapshot(String... docs) {
    List<ConfigObject> objects = new ArrayList<>();
    for (String d : docs) {
      objects.addAll(MeshFixture.objects(d, "test"));
    }
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects);
  }

  private static List<String> names(List<IstioConfig> configs) {
    return configs.stream().map(c -> c.namespace() + "/" + c.name()).toList();
  }
}
