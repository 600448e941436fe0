package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshSnapshotTest {
  private static final NamespacedName REVIEWS = NamespacedName.of("default", "reviews");

  private static Service reviews() {
    return new Service(
        REVIEWS,
        Map.of(),
        Map.of("app", "reviews"),
        "10.96.0.5",
        List.of(ServicePort.of("http", 9080), ServicePort.of("grpc", 7070)));
  }

  private static Pod pod(String name, String ip, String version) {
    return new Pod(
        NamespacedName.of("default", name),
        Map.of("app", "reviews", "version", version),
        Map.of(),
        "bookinfo-reviews",
        List.of(ip),
        "node-1",
        List.of());
  }

  private static EndpointSlice.Endpoint endpoint(String ip, String pod, boolean ready) {
    return new EndpointSlice.Endpoint(
        List.of(ip),
        new EndpointSlice.Conditions(ready, ready, !ready),
        "zone-a",
        "node-1",
        "",
        new EndpointSlice.TargetRef("Pod", "default", pod));
  }

  @Test
  void resolvesSliceEndpointsPerServicePortWithPodIdentity() {
    EndpointSlice http =
        new EndpointSlice(
            NamespacedName.of("default", "reviews-1"),
            "reviews",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("http", 9080, "TCP", "")),
            List.of(endpoint("10.0.0.2", "r2", true), endpoint("10.0.0.1", "r1", false)));
    MeshSnapshot s =
        MeshSnapshot.build(
            MeshConfig.DEFAULT,
            List.of(reviews(), http, pod("r1", "10.0.0.1", "v1"), pod("r2", "10.0.0.2", "v2")));

    List<MeshEndpoint> eps = s.endpoints().endpoints(REVIEWS, 9080);
    assertThat(eps).extracting(MeshEndpoint::address).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(eps.get(0).ready()).isFalse();
    assertThat(eps.get(1).labels()).containsEntry("version", "v2");
    assertThat(eps.get(1).serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(eps.get(1).locality()).isEqualTo(new Locality("", "zone-a", ""));
    // The slice does not name port "grpc", so 7070 has no endpoints.
    assertThat(s.endpoints().endpoints(REVIEWS, 7070)).isEmpty();
    assertThat(s.endpoints().targetsAt("10.0.0.2"))
        .extracting(t -> t.port().port())
        .containsExactly(9080);
    assertThat(s.services().byHost("reviews.default.svc.cluster.local")).contains(reviews());
  }

  @Test
  void slicesOfUnknownServicesContributeNothing() {
    EndpointSlice orphan =
        new EndpointSlice(
            NamespacedName.of("default", "ghost-1"),
            "ghost",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("http", 80, "TCP", "")),
            List.of(endpoint("10.0.0.9", "x", true)));
    MeshSnapshot s = MeshSnapshot.build(MeshConfig.DEFAULT, List.of(orphan, reviews()));
    assertThat(s.endpoints().all()).isEmpty();
    assertThat(s.endpoints().targetsAt("10.0.0.9")).isEmpty();
  }

  @Test
  void buildingTwiceFromTheSameObjectsInAnyOrderGivesEqualIndexes() {
    EndpointSlice a =
        new EndpointSlice(
            NamespacedName.of("default", "a"),
            "reviews",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("http", 9080, "TCP", "")),
            List.of(endpoint("10.0.0.3", "r3", true)));
    EndpointSlice b =
        new EndpointSlice(
            NamespacedName.of("default", "b"),
            "reviews",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("http", 9080, "TCP", "")),
            List.of(endpoint("10.0.0.1", "r1", true)));
    MeshSnapshot one = MeshSnapshot.build(MeshConfig.DEFAULT, List.of(reviews(), a, b));
    MeshSnapshot two = MeshSnapshot.build(MeshConfig.DEFAULT, List.of(b, a, reviews()));
    assertThat(one.endpoints().all()).isEqualTo(two.endpoints().all());
  }

  /** Decodes YAML documents through the same decoder the file source uses; all must be Ok. */
  @Test
  void gatewayBoundRootsSeeTheirDelegatesRulesMerged() throws IOException {
    MeshSnapshot snapshot =
        MeshSnapshot.build(
            MeshConfig.DEFAULT,
            decode(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: root, namespace: default}
                spec:
                  hosts: [shop.example.com]
                  gateways: [gw]
                  http:
                  - name: api
                    match: [{uri: {prefix: /api}}]
                    delegate: {name: api}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: api, namespace: default}
                spec:
                  http:
                  - name: v1
                    route: [{destination: {host: reviews}}]
                """));
    List<dev.meshctl.crds.decode.IstioConfig> bound =
        snapshot.gateways().virtualServicesFor("default", "gw", "default");
    assertThat(bound).extracting(dev.meshctl.crds.decode.IstioConfig::name).containsExactly("root");
    assertThat(bound.get(0).spec(dev.meshctl.crds.networking.VirtualService.class).http())
        .extracting(r -> r.name() + " " + r.route().get(0).destination().host())
        .containsExactly("api-v1 reviews.default.svc.cluster.local");
  }

  private static List<ConfigObject> decode(String yaml) throws IOException {
    List<ConfigObject> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        for (Decoded d : KubeDecoder.decode(it.next())) {
          assertThat(d).isInstanceOf(Decoded.Ok.class);
          out.add(((Decoded.Ok) d).object());
        }
      }
    }
    return out;
  }

  @Test
  void peerAuthenticationObjectsInTheStoreDriveTheModeIndex() throws IOException {
    List<ConfigObject> objects =
        decode(
            """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata: {name: legacy, namespace: legacy}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: reviews, namespace: legacy}
            spec:
              selector: {matchLabels: {app: reviews}}
              mtls: {mode: UNSET}
              portLevelMtls:
                "9080": {mode: DISABLE}
                "9443": {mode: STRICT}
            """);
    assertThat(objects)
        .extracting(o -> o.key().kind())
        .containsOnly(ConfigKind.PEER_AUTHENTICATION);
    MeshSnapshot s = MeshSnapshot.build(MeshConfig.DEFAULT, objects);
    PeerAuthenticationIndex pa = s.peerAuthentications();
    Map<String, String> reviews = Map.of("app", "reviews");
    // Mesh-wide (root namespace) STRICT applies where nothing closer is set.
    assertThat(MeshConfig.DEFAULT.rootNamespace()).isEqualTo("istio-system");
    assertThat(pa.mode("default", reviews, 9080)).isEqualTo(MtlsMode.STRICT);
    // The namespace policy overrides the mesh; UNSET on the workload inherits it.
    assertThat(pa.mode("legacy", Map.of("app", "other"), 9080)).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(pa.mode("legacy", reviews, 8080)).isEqualTo(MtlsMode.PERMISSIVE);
    // Port-level modes of the workload policy win for their ports.
    assertThat(pa.mode("legacy", reviews, 9080)).isEqualTo(MtlsMode.DISABLE);
    assertThat(pa.mode("legacy", reviews, 9443)).isEqualTo(MtlsMode.STRICT);
    // Without the objects every port is PERMISSIVE, so the modes above came from the store.
    assertThat(
            MeshSnapshot.build(MeshConfig.DEFAULT, List.of())
                .peerAuthentications()
                .mode("default", reviews, 9080))
        .isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void invalidPeerAuthenticationNeverReachesTheStore() throws IOException {
    JsonNode doc =
        new YAMLMapper()
            .readTree(
                """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: bad, namespace: ns1}
                spec: {mtls: {mode: STRICT}, portLevelMtls: {"8080": {mode: DISABLE}}}
                """);
    List<Decoded> d = KubeDecoder.decode(doc);
    assertThat(d).hasSize(1).first().isInstanceOf(Decoded.Invalid.class);
    assertThat(((Decoded.Invalid) d.get(0)).messages())
        .containsExactly(
            "PeerAuthentication ns1/bad: spec.portLevelMtls: port-level mTLS needs a workload"
                + " selector (mesh- and namespace-wide policies cannot set it)");
  }

  @Test
  void aKnownNodesTopologyLabelsGiveTheLocalityOtherwiseTheSliceZone() {
    EndpointSlice http =
        new EndpointSlice(
            NamespacedName.of("default", "reviews-1"),
            "reviews",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("http", 9080, "TCP", "")),
            List.of(endpoint("10.0.0.1", "r1", true)));
    List<ConfigObject> objects = List.of(reviews(), http, pod("r1", "10.0.0.1", "v1"));
    Node node1 =
        new Node(
            "node-1",
            Map.of(
                Node.REGION_LABEL, "us-east1",
                Node.ZONE_LABEL, "us-east1-b",
                Node.SUBZONE_LABEL, "rack-7"));
    Node unlabelled = new Node("node-1", Map.of("kubernetes.io/os", "linux"));

    assertThat(locality(objects)).isEqualTo(new Locality("", "zone-a", ""));
    assertThat(locality(with(objects, node1)))
        .isEqualTo(new Locality("us-east1", "us-east1-b", "rack-7"));
    assertThat(locality(with(objects, unlabelled))).isEqualTo(new Locality("", "zone-a", ""));
  }

  @Test
  void aStoredMeshConfigReplacesTheDefault() {
    MeshConfig registryOnly =
        new MeshConfig(
            "example.org",
            "cluster.local",
            "mesh-root",
            MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY,
            java.time.Duration.ofSeconds(3),
            false);
    assertThat(MeshSnapshot.build(MeshConfig.DEFAULT, List.of(reviews())).mesh())
        .isEqualTo(MeshConfig.DEFAULT);
    assertThat(MeshSnapshot.build(MeshConfig.DEFAULT, List.of(reviews(), registryOnly)).mesh())
        .isEqualTo(registryOnly);
  }

  private static Locality locality(List<ConfigObject> objects) {
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects)
        .endpoints()
        .endpoints(REVIEWS, 9080)
        .get(0)
        .locality();
  }

  private static List<ConfigObject> with(List<ConfigObject> objects, ConfigObject extra) {
    List<ConfigObject> out = new java.util.ArrayList<>(objects);
    out.add(extra);
    return out;
  }
}
