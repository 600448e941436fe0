package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ServiceEntry, WorkloadEntry and Sidecar resources as the snapshot indexes them. */
class ServiceEntriesTest {
  private static MeshSnapshot snapshot(String yaml) {
    return MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(yaml, "test"));
  }

  private static final String ENTRY =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: ext, namespace: team}
      spec:
        hosts: [api.example.com, API2.example.com]
        addresses: [240.1.1.1, 240.1.1.2]
        ports:
        - {number: 443, name: https, protocol: HTTPS}
        - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
        location: MESH_EXTERNAL
        resolution: DNS
        exportTo: ["."]
        subjectAltNames: [spiffe://example.com/api]
        endpoints:
        - {address: eu.example.com, locality: eu/west-1/a, weight: 5, labels: {region: eu}}
        - {address: us.example.com, ports: {http: 9090}}
      """;

  @Test
  void everyHostBecomesAServiceWithTheEntrysAttributes() {
    MeshSnapshot s = snapshot(ENTRY);
    Service api = s.services().byHost("api.example.com").orElseThrow();
    assertThat(api.id()).isEqualTo(NamespacedName.of("team", "api.example.com"));
    assertThat(api.resolution()).isEqualTo(Resolution.DNS_LB);
    assertThat(api.vip()).isEqualTo("240.1.1.1");
    assertThat(api.attributes().meshExternal()).isTrue();
    assertThat(api.attributes().addresses()).containsExactly("240.1.1.1", "240.1.1.2");
    assertThat(api.attributes().exportTo()).containsExactly(".");
    assertThat(api.attributes().subjectAltNames()).containsExactly("spiffe://example.com/api");
    assertThat(api.attributes().source()).isEqualTo(NamespacedName.of("team", "ext"));
    assertThat(api.ports())
        .extracting(ServicePort::port, ServicePort::targetPort, ServicePort::protocol)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(443, 443, Protocol.HTTPS),
            org.assertj.core.groups.Tuple.tuple(80, 8080, Protocol.HTTP));
    // Hosts are lower-cased, as Istio compares them.
    assertThat(s.services().byHost("api2.example.com")).isPresent();
  }

  /** Istio's {@code location} defaults to MESH_EXTERNAL: no auto-mTLS towards such a host. */
  @Test
  void anEntryWithoutLocationIsMeshExternal() {
    MeshSnapshot s =
        snapshot(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext, namespace: team}
            spec:
              hosts: [a.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: int, namespace: team}
            spec:
              hosts: [b.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              location: MESH_INTERNAL
              resolution: DNS
            """);
    assertThat(s.services().byHost("a.example.com").orElseThrow().attributes().meshExternal())
        .isTrue();
    assertThat(s.services().byHost("b.example.com").orElseThrow().attributes().meshExternal())
        .isFalse();
  }

  @Test
  void endpointsCarryLocalityWeightLabelsAndThePortMap() {
    MeshSnapshot s = snapshot(ENTRY);
    NamespacedName id = NamespacedName.of("team", "api.example.com");
    List<MeshEndpoint> http = s.endpoints().endpoints(id, 80);
    assertThat(http)
        .extracting(MeshEndpoint::address, MeshEndpoint::port, MeshEndpoint::weight)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("eu.example.com", 8080, 5),
            org.assertj.core.groups.Tuple.tuple("us.example.com", 9090, 1));
    assertThat(http.get(0).locality()).isEqualTo(new Locality("eu", "west-1", "a"));
    assertThat(http.get(0).labels()).isEqualTo(Map.of("region", "eu"));
    assertThat(s.endpoints().endpoints(id, 443))
        .extracting(MeshEndpoint::port)
        .containsExactly(443, 443);
  }

  @Test
  void resolutionMapsAsIstiosConvertResolution() {
    assertThat(ServiceEntries.resolution(null)).isEqualTo(Resolution.PASSTHROUGH);
    assertThat(ServiceEntries.resolution(dev.meshctl.crds.networking.ServiceEntry.Resolution.NONE))
        .isEqualTo(Resolution.PASSTHROUGH);
    assertThat(
            ServiceEntries.resolution(dev.meshctl.crds.networking.ServiceEntry.Resolution.STATIC))
        .isEqualTo(Resolution.CLIENT_SIDE_LB);
    assertThat(
            ServiceEntries.resolution(
                dev.meshctl.crds.networking.ServiceEntry.Resolution.DNS_ROUND_ROBIN))
        .isEqualTo(Resolution.DNS_ROUND_ROBIN);
  }

  @Test
  void aKubernetesServiceWinsOverAServiceEntryWithTheSameHost() {
    MeshSnapshot s =
        snapshot(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: shadow, namespace: default}
            spec:
              hosts: [web.default.svc.cluster.local]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 1.1.1.1}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              clusterIP: 10.96.0.5
              ports: [{name: http, port: 80}]
            """);
    Service web = s.services().byHost("web.default.svc.cluster.local").orElseThrow();
    assertThat(web.attributes().fromServiceEntry()).isFalse();
    assertThat(s.endpoints().targetsAt("1.1.1.1")).isEmpty();
  }

  @Test
  void workloadSelectorSelectsWorkloadEntriesAndPodsOfTheEntrysNamespaceOnly() {
    MeshSnapshot s =
        snapshot(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: vm, namespace: vms}
            spec:
              hosts: [vm.vms.internal]
              ports: [{number: 8080, name: http, protocol: HTTP, targetPort: 9000}]
              resolution: STATIC
              workloadSelector: {labels: {app: vm}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: vm-a, namespace: vms, labels: {app: vm}}
            spec: {address: 192.168.0.1, serviceAccount: vm-sa, labels: {version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: vm-b, namespace: other}
            spec: {address: 192.168.0.2, labels: {app: vm}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: vm-pod, namespace: vms, labels: {app: vm}}
            spec: {serviceAccountName: pod-sa, containers: [{name: app}]}
            status: {podIP: 10.244.0.9}
            """);
    List<MeshEndpoint> eps =
        s.endpoints().endpoints(NamespacedName.of("vms", "vm.vms.internal"), 8080);
    assertThat(eps)
        .extracting(MeshEndpoint::address, MeshEndpoint::port, MeshEndpoint::serviceAccount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.244.0.9", 9000, "pod-sa"),
            org.assertj.core.groups.Tuple.tuple("192.168.0.1", 9000, "vm-sa"));
    // Metadata and spec labels merge, so subsets can select on both.
    assertThat(eps.get(1).labels()).isEqualTo(Map.of("app", "vm", "version", "v1"));
    // The selected pod serves the entry's port: its sidecar gets the inbound side.
    assertThat(s.endpoints().targetsAt("10.244.0.9"))
        .extracting(t -> t.service().hostname("cluster.local"))
        .containsExactly("vm.vms.internal");
  }

  @Test
  void sidecarSelectionPrefersSelectorThenNamespaceThenRootDefault() {
    MeshSnapshot s =
        snapshot(
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: mesh-default, namespace: istio-system}
            spec: {egress: [{hosts: ["./*"]}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: ns-default, namespace: shop}
            spec: {egress: [{hosts: ["*/*"]}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: cart, namespace: shop}
            spec:
              workloadSelector: {labels: {app: cart}}
              egress: [{hosts: ["shop/*"]}]
            """);
    SidecarIndex index = s.sidecars();
    assertThat(index.forProxy("shop", Map.of("app", "cart"))).map(c -> c.name()).hasValue("cart");
    assertThat(index.forProxy("shop", Map.of("app", "web")))
        .map(c -> c.name())
        .hasValue("ns-default");
    assertThat(index.forProxy("blog", Map.of())).map(c -> c.name()).hasValue("mesh-default");
    assertThat(SidecarIndex.build("istio-system", List.of()).forProxy("blog", Map.of())).isEmpty();
  }

  @Test
  void podChangesBehindADnsEntryAreMoreThanAnEdsUpdate() {
    String entry =
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s, namespace: vms}
        spec:
          hosts: [vm.vms.internal]
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: %s
          workloadSelector: {labels: {app: vm}}
        ---
        """;
    String pod =
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: vm-pod, namespace: vms, labels: {app: vm}}
        spec: {containers: [{name: app}]}
        status: {podIP: 10.244.0.9}
        """;
    for (String resolution : List.of("DNS", "STATIC")) {
      String se = entry.formatted("vm", resolution);
      EndpointChanges changes =
          EndpointChanges.between(snapshot(se + pod), snapshot(se.replace("---", "")));
      // STATIC endpoints go by EDS; DNS ones are inline in CDS, so the change reaches CDS.
      assertThat(changes.headlessChanged()).as(resolution).isEqualTo(resolution.equals("DNS"));
      assertThat(changes.changedAddresses()).as(resolution).containsExactly("10.244.0.9");
    }
  }
}
