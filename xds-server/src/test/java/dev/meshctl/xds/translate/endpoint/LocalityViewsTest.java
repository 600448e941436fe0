package dev.meshctl.xds.translate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which locality view a proxy gets ({@link LocalityViews}): where the proxy is, which setting is in
 * force, and that proxies share one assignment whenever locality does not change it.
 */
class LocalityViewsTest {
  static final String MESH =
      """
      apiVersion: v1
      kind: Node
      metadata:
        name: node-east
        labels: {topology.kubernetes.io/region: us-east, topology.kubernetes.io/zone: us-east-1a}
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node-eu
        labels: {topology.kubernetes.io/region: eu-west, topology.kubernetes.io/zone: eu-west-1a}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client-east, namespace: default, labels: {app: client}}
      spec: {nodeName: node-east, containers: [{name: c}]}
      status: {podIP: 10.0.0.1}
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: client-relabelled
        namespace: default
        labels: {app: client, istio-locality: ap-south.ap-south-1a}
      spec: {nodeName: node-east, containers: [{name: c}]}
      status: {podIP: 10.0.0.2}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{name: http, port: 80}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: web-east, namespace: default, labels: {app: web, version: v1}}
      spec: {nodeName: node-east, containers: [{name: w}]}
      status: {podIP: 10.1.0.1}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: web-eu, namespace: default, labels: {app: web, version: v2}}
      spec: {nodeName: node-eu, containers: [{name: w}]}
      status: {podIP: 10.2.0.1}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
      addressType: IPv4
      ports: [{name: http, port: 80}]
      endpoints:
      - addresses: [10.1.0.1]
        conditions: {ready: true}
        targetRef: {kind: Pod, namespace: default, name: web-east}
      - addresses: [10.2.0.1]
        conditions: {ready: true}
        targetRef: {kind: Pod, namespace: default, name: web-eu}
      """;

  static final String CLUSTER = "outbound|80||web.default.svc.cluster.local";

  static Proxy proxy(String pod, String ip, String labels, String locality) {
    return MeshFixture.proxy(
        """
        id: sidecar~%2$s~%1$s.default~default.svc.cluster.local
        metadata: {NAMESPACE: default, LABELS: %3$s}
        %4$s
        """
            .formatted(pod, ip, labels, locality));
  }

  @Test
  void aProxyIsWhereItsPodIsThenWhereItsLabelsThenItsNodeSay() {
    MeshSnapshot s = MeshFixture.snapshot(MESH);
    Proxy onNode = proxy("client-east", "10.0.0.1", "{app: client}", "locality: {region: x}");
    Proxy relabelled = proxy("client-relabelled", "10.0.0.2", "{app: client}", "");
    Proxy labelled =
        proxy(
            "vm-1",
            "10.9.0.1",
            "{topology.kubernetes.io/region: us-west, topology.kubernetes.io/zone: w1}",
            "locality: {region: x}");
    Proxy unknownPod =
        proxy("vm-2", "10.0.0.1", "{}", "locality: {region: r, zone: z, subZone: s}");

    assertThat(LocalityViews.proxyLocality(s, onNode))
        .isEqualTo(new Locality("us-east", "us-east-1a", ""));
    assertThat(LocalityViews.proxyLocality(s, relabelled))
        .isEqualTo(new Locality("ap-south", "ap-south-1a", ""));
    assertThat(LocalityViews.proxyLocality(s, labelled))
        .isEqualTo(new Locality("us-west", "w1", ""));
    // Same IP as client-east, other name: the node's own word, not the other pod's locality.
    assertThat(LocalityViews.proxyLocality(s, unknownPod)).isEqualTo(new Locality("r", "z", "s"));
  }

  @Test
  void theRulesSettingWinsAndEnabledFalseTurnsLocalityOffAtEitherLevel() {
    LocalityLbSetting mesh = MeshConfig.DEFAULT.localityLbSetting();
    Service web =
        MeshFixture.snapshot(MESH).services().byHost("web.default.svc.cluster.local").orElseThrow();
    assertThat(LocalityViews.effective(MeshConfig.DEFAULT, null, web))
        .contains(new LocalityViews.Effective(mesh, false));
    MeshSnapshot off =
        MeshFixture.snapshot(
            MESH
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: default}
                spec:
                  host: web
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 1}
                    loadBalancer: {localityLbSetting: {enabled: false}}
                """);
    Proxy client = proxy("client-east", "10.0.0.1", "{app: client}", "");
    assertThat(LocalityViews.forCluster(off, client, CLUSTER)).isEmpty();
  }

  @Test
  void proxiesShareOneAssignmentUnlessFailoverOrDistributeApplies() {
    Proxy east = proxy("client-east", "10.0.0.1", "{app: client}", "");
    Proxy elsewhere = proxy("client-relabelled", "10.0.0.2", "{app: client}", "");

    // No outlier detection: the mesh default is enabled but never fails over.
    MeshSnapshot plain = MeshFixture.snapshot(MESH);
    assertThat(LocalityViews.forCluster(plain, east, CLUSTER)).isEmpty();
    assertThat(eds(plain, east)).isEqualTo(eds(plain, elsewhere));
    assertThat(eds(plain, east).getEndpointsList())
        .allSatisfy(g -> assertThat(g.getPriority()).isZero());

    MeshSnapshot failover =
        MeshFixture.snapshot(
            MESH
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: default}
                spec:
                  host: web
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 1}
                """);
    // eu-west then us-east in locality order: the east client ranks its own region first.
    assertThat(eds(failover, east).getEndpointsList())
        .extracting(g -> g.getLocality().getRegion() + "=" + g.getPriority())
        .containsExactly("eu-west=1", "us-east=0");
    // A proxy in neither region sees both at the same distance.
    assertThat(eds(failover, elsewhere).getEndpointsList())
        .extracting(g -> g.getLocality().getRegion() + "=" + g.getPriority())
        .containsExactly("eu-west=0", "us-east=0");
  }

  @Test
  void failoverPriorityLabelsComeFromTheProxyWithItsTopologyAdded() {
    MeshSnapshot s =
        MeshFixture.snapshot(
            MESH
                + """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: default}
                spec:
                  host: web
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 1}
                    loadBalancer:
                      localityLbSetting:
                        failoverPriority: [topology.kubernetes.io/zone, version]
                """);
    Proxy v2InEast = proxy("client-east", "10.0.0.1", "{app: client, version: v2}", "");
    LocalityLb.View view = LocalityViews.forCluster(s, v2InEast, CLUSTER).orElseThrow();
    assertThat(view.priorityLabels())
        .containsExactly(
            java.util.Map.entry("topology.kubernetes.io/zone", "us-east-1a"),
            java.util.Map.entry("version", "v2"));
    // web-east: zone agrees, version differs -> 1; web-eu: zone differs -> 2; renumbered 0, 1.
    assertThat(eds(s, v2InEast).getEndpointsList())
        .extracting(
            g ->
                g.getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress()
                    + "="
                    + g.getPriority())
        .containsExactly("10.2.0.1=1", "10.1.0.1=0");
  }

  private static ClusterLoadAssignment eds(MeshSnapshot s, Proxy p) {
    return (ClusterLoadAssignment)
        MeshFixture.generate(s, p, XdsType.ENDPOINT, Subscription.names(Set.of(CLUSTER)))
            .get(CLUSTER);
  }
}
