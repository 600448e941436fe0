package dev.meshctl.xds.translate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.deps.ConfigImpact;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule {@code workloadSelector}: the rule applies only to the selected workloads of its
 * own namespace, before any rule without a selector; other workloads (and other namespaces) keep
 * the namespace's rule. Checked on generated CDS for Envoy sidecars and proxyless clients, which
 * share memoised clusters per view.
 */
class DestinationRuleWorkloadSelectorTest {
  private static final String CLUSTER = "outbound|9080||reviews.shop.svc.cluster.local";
  private static final MeshGenerator GEN =
      new MeshGenerator(new SidecarGenerator(), new GrpcGenerator());

  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: shop}
      spec:
        clusterIP: 10.96.0.7
        ports: [{name: http, port: 9080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: shop}
      spec:
        host: reviews
        trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews-canary-clients, namespace: shop}
      spec:
        host: reviews
        workloadSelector: {matchLabels: {track: canary}}
        trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
      ---
      """;

  private static MeshSnapshot mesh(String yaml) {
    return MeshFixture.snapshot(yaml);
  }

  private static Cluster.LbPolicy lb(MeshSnapshot s, Proxy p) {
    SortedMap<String, Message> cds =
        MeshFixture.generate(
            s,
            p,
            XdsType.CLUSTER,
            p.generator() == Proxy.Generator.GRPC
                ? Subscription.names(Set.of(CLUSTER))
                : Subscription.WILDCARD);
    return ((Cluster) cds.get(CLUSTER)).getLbPolicy();
  }

  private static Proxy proxy(String ns, String track, boolean grpc) {
    return MeshFixture.proxy(
        """
        id: sidecar~10.0.0.5~client-%1$s.%2$s~%2$s.svc.cluster.local
        metadata:
          NAMESPACE: %2$s
          LABELS: {app: client, track: %1$s}
          %3$s
        """
            .formatted(track, ns, grpc ? "GENERATOR: grpc" : ""));
  }

  @Test
  void theSelectedWorkloadsGetTheSelectorRuleOthersTheNamespaceRule() {
    MeshSnapshot s = mesh(MESH);
    // One context for all proxies: the memo must keep the two views apart.
    for (boolean grpc : List.of(false, true)) {
      assertThat(lb(s, proxy("shop", "canary", grpc)))
          .as("selected, grpc=%s", grpc)
          .isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
      assertThat(lb(s, proxy("shop", "stable", grpc)))
          .as("not selected, grpc=%s", grpc)
          .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
      assertThat(lb(s, proxy("other", "canary", grpc)))
          .as("selectors do not cross namespaces, grpc=%s", grpc)
          .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    }
  }

  @Test
  void bothViewsAreServedFromOneSharedContext() {
    TranslationContext ctx = new TranslationContext(mesh(MESH));
    Proxy canary = proxy("shop", "canary", false);
    Proxy stable = proxy("shop", "stable", false);
    Cluster a =
        (Cluster) GEN.generate(ctx, canary, XdsType.CLUSTER, Subscription.WILDCARD).get(CLUSTER);
    Cluster b =
        (Cluster) GEN.generate(ctx, stable, XdsType.CLUSTER, Subscription.WILDCARD).get(CLUSTER);
    assertThat(a.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(b.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
  }

  @Test
  void aSelectorRuleChangeReachesTheProxiesThatSeeItsHost() {
    MeshSnapshot before = mesh(MESH);
    MeshSnapshot after = mesh(MESH.replace("ROUND_ROBIN", "RANDOM"));
    ConfigImpact impact =
        ConfigImpact.of(
            before,
            after,
            List.of(ConfigKey.of(ConfigKind.DESTINATION_RULE, "shop", "reviews-canary-clients")));
    assertThat(impact.hosts()).containsExactly("reviews.shop.svc.cluster.local");
    assertThat(impact.reaches(proxy("shop", "canary", false))).isTrue();
  }

  /**
   * Istio reads only the client's namespace once it holds any rule for the host: a client there
   * that the selector rule does not pick gets no rule, not the service namespace's (Envoy's default
   * LEAST_REQUEST, not the shop rule's RANDOM); a picked client gets the selector rule.
   */
  @Test
  void aSelectorRuleInTheClientsNamespaceHidesTheServiceNamespacesRuleFromUnpickedClients() {
    MeshSnapshot s =
        mesh(
            MESH.replace("simple: LEAST_REQUEST", "consistentHash: {httpHeaderName: x-user}")
                + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews-canary, namespace: web}
                spec:
                  host: reviews.shop.svc.cluster.local
                  workloadSelector: {matchLabels: {track: canary}}
                  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
                """);
    for (boolean grpc : List.of(false, true)) {
      assertThat(lb(s, proxy("web", "canary", grpc))).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
      // Proxyless clusters default to ROUND_ROBIN; sidecars to Istio's LEAST_REQUEST.
      assertThat(lb(s, proxy("web", "stable", grpc)))
          .as("grpc=%s", grpc)
          .isEqualTo(grpc ? Cluster.LbPolicy.ROUND_ROBIN : Cluster.LbPolicy.LEAST_REQUEST);
      assertThat(lb(s, proxy("elsewhere", "stable", grpc))).isEqualTo(Cluster.LbPolicy.RING_HASH);
    }
  }
}
