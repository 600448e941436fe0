package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where traffic lands for ServiceEntries, WorkloadEntries, Sidecar scoping and VirtualService tcp
 * and tls rules: over the golden meshes built from Istio's conformance files and over {@code
 * meshes/serviceentry-sidecar.yaml}, for sidecars of different workloads.
 */
class ServiceEntrySimulationTest {
  private static final String DB = "outbound|5432||db.vms.example";
  private static final String DB_CANARY = "outbound|5432||db-canary.vms.example";
  private static final String API = "outbound|8080||api.vms.example";

  private static XdsDump golden(String name) {
    return XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(name)));
  }

  /** The test mesh seen by a pod with label {@code app=<app>} in {@code namespace}. */
  private static XdsDump mesh(String namespace, String app) throws IOException {
    String yaml = Files.readString(Path.of("src/test/resources/meshes/serviceentry-sidecar.yaml"));
    MeshSnapshot snapshot =
        MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(yaml, "serviceentry-sidecar"));
    String ip = "10.244.7.7";
    String proxy =
        "id: sidecar~"
            + ip
            + "~"
            + app
            + "-0."
            + namespace
            + "~"
            + namespace
            + ".svc.cluster.local\n"
            + "metadata:\n  NAMESPACE: "
            + namespace
            + "\n  INSTANCE_IPS: "
            + ip
            + "\n  LABELS:\n    app: "
            + app
            + "\n";
    return XdsDump.generate(new MeshFixture(snapshot, MeshFixture.proxy(proxy)));
  }

  @Test
  void tlsHostsOnASharedPortAreToldApartBySni() {
    RouteSimulator sim = new RouteSimulator(golden("se-example"));
    assertThat(sim.outboundTls("157.240.1.35", 443, "api.facebook.com").cluster())
        .isEqualTo("outbound|443||api.facebook.com");
    assertThat(sim.outboundTls("142.250.1.1", 443, "www.googleapis.com").cluster())
        .isEqualTo("outbound|443||www.googleapis.com");
    Result unknown = sim.outboundTls("1.2.3.4", 443, "example.org");
    assertThat(unknown.listener()).isEqualTo("0.0.0.0_443");
    assertThat(unknown.cluster()).isEmpty(); // no chain matches: Envoy closes the connection
  }

  @Test
  void cidrAddressIsMatchedByPrefixOnTheWildcardListener() {
    RouteSimulator sim = new RouteSimulator(golden("se-example"));
    Result inside = sim.outboundTcp("192.192.192.7", 27018);
    assertThat(inside.listener()).isEqualTo("0.0.0.0_27018");
    assertThat(inside.cluster()).isEqualTo("outbound|27018||mymongodb.somedomain");
    assertThat(sim.outboundTcp("10.0.0.1", 27018).cluster()).isEmpty();
  }

  @Test
  void httpEntriesBecomeVirtualHostsIncludingWildcardHosts() {
    RouteSimulator sim = new RouteSimulator(golden("se-example"));
    assertThat(sim.outboundHttp("1.1.1.1", 8000, "foo.bar.com", "/").cluster())
        .isEqualTo("outbound|8000||foo.bar.com");
    assertThat(sim.outboundHttp("1.1.1.1", 80, "www.bar.com", "/").cluster())
        .isEqualTo("outbound|80||*.bar.com");
    assertThat(sim.outboundHttp("1.1.1.1", 80, "www.baz.com", "/").cluster())
        .isEqualTo("PassthroughCluster");
  }

  @Test
  void resolutionPicksTheClusterType() {
    Map<String, Message> clusters = golden("se-example").clusters();
    assertThat(type(clusters, "outbound|1200||test.seexamples")).isEqualTo("EDS");
    assertThat(type(clusters, "outbound|8000||foo.bar.com")).isEqualTo("STRICT_DNS");
    assertThat(type(clusters, "outbound|80||*.bar.com")).isEqualTo("ORIGINAL_DST");
    assertThat(
            addresses(((Cluster) clusters.get("outbound|8000||foo.bar.com")).getLoadAssignment()))
        .containsExactly("in.foo.bar.com:7080", "uk.foo.bar.com:9080", "us.foo.bar.com:8080");
  }

  @Test
  void roundRobinDnsWithoutEndpointsResolvesTheHostItself() throws IOException {
    Cluster rr = (Cluster) mesh("default", "sleep").clusters().get("outbound|9000||rr.example.com");
    assertThat(rr.getType()).isEqualTo(Cluster.DiscoveryType.LOGICAL_DNS);
    assertThat(addresses(rr.getLoadAssignment())).containsExactly("rr.example.com:9000");
  }

  @Test
  void workloadSelectorPicksWorkloadEntriesOfTheEntrysNamespaceWithTheirPortMap()
      throws IOException {
    XdsDump dump = mesh("default", "sleep");
    assertThat(addresses((ClusterLoadAssignment) dump.endpoints().get(API)))
        .containsExactly("192.168.1.10:18080");
    RouteSimulator sim = new RouteSimulator(dump);
    assertThat(sim.outboundHttp("240.0.0.10", 8080, "api.vms.example", "/").cluster())
        .isEqualTo(API);
    assertThat(sim.outboundHttp("240.0.0.10", 8080, "240.0.0.10:8080", "/").cluster())
        .isEqualTo(API);
  }

  @Test
  void tcpRuleSplitsOnlyForMatchingSourceLabels() throws IOException {
    assertThat(new RouteSimulator(mesh("default", "canary-client")).outboundTcp("240.0.0.20", 5432))
        .extracting(Result::listener, Result::cluster)
        .containsExactly("240.0.0.20_5432", DB + "=80," + DB_CANARY + "=20");
    assertThat(
            new RouteSimulator(mesh("default", "sleep")).outboundTcp("240.0.0.20", 5432).cluster())
        .isEqualTo(DB);
  }

  @Test
  void exportToDotHidesTheEntryFromOtherNamespaces() throws IOException {
    String cluster = "outbound|7070||private.vms.example";
    assertThat(mesh("default", "sleep").clusters()).doesNotContainKey(cluster);
    assertThat(mesh("vms", "sleep").clusters()).containsKey(cluster);
  }

  @Test
  void sidecarRegistryOnlySendsUnknownTrafficToTheBlackHole() throws IOException {
    XdsDump locked = mesh("default", "locked");
    RouteSimulator sim = new RouteSimulator(locked);
    assertThat(sim.outboundHttp("10.96.2.10", 8000, "httpbin:8000", "/").cluster())
        .isEqualTo("outbound|8000||httpbin.default.svc.cluster.local");
    Result unknownHost = sim.outboundHttp("10.96.2.10", 8000, "example.com", "/");
    assertThat(unknownHost.virtualHost()).isEqualTo("block_all");
    assertThat(unknownHost.directResponseStatus()).isEqualTo(502);
    // api.vms.example is in another namespace, not imported by "./*": no listener, black hole.
    Result otherNamespace = sim.outboundTcp("240.0.0.10", 8080);
    assertThat(otherNamespace.listener()).isEqualTo("virtualOutbound");
    assertThat(otherNamespace.cluster()).isEqualTo("BlackHoleCluster");
    // The same workload without the Sidecar passes unknown traffic through.
    assertThat(
            new RouteSimulator(mesh("default", "sleep"))
                .outboundHttp("10.96.2.10", 8000, "example.com", "/")
                .cluster())
        .isEqualTo("PassthroughCluster");
  }

  @Test
  void sidecarEgressRemovesOtherNamespacesClusters() throws IOException {
    assertThat(outboundServiceClusters(mesh("default", "sleep")))
        .contains(API, DB, "outbound|8000||httpbin.default.svc.cluster.local");
    assertThat(outboundServiceClusters(mesh("default", "locked")))
        .containsExactly("outbound|8000||httpbin.default.svc.cluster.local");
    assertThat(outboundServiceClusters(mesh("default", "db-only"))).containsExactly(DB);
    assertThat(outboundServiceClusters(golden("sidecar-ns-scope")))
        .allMatch(c -> c.endsWith(".ns1.svc.cluster.local"))
        .contains("outbound|3306||tcp1.ns1.svc.cluster.local");
  }

  @Test
  void rootNamespaceSidecarScopesSubsetSplit() {
    RouteSimulator sim = new RouteSimulator(golden("sidecar-ns-scope"));
    assertThat(sim.outboundHttp("2.1.1.1", 8080, "http1.ns1.svc.cluster.local", "/").cluster())
        .isEqualTo(
            "outbound|8080|v1|http1.ns1.svc.cluster.local=70,"
                + "outbound|8080|v2|http1.ns1.svc.cluster.local=30");
    assertThat(sim.outboundHttp("3.1.1.1", 8080, "http1.ns2.svc.cluster.local", "/").cluster())
        .isEqualTo("PassthroughCluster");
    assertThat(sim.outboundTcp("2.1.1.3", 3306).cluster())
        .isEqualTo("outbound|3306||tcp1.ns1.svc.cluster.local");
    assertThat(sim.outboundTcp("3.1.1.3", 3306).listener()).isEqualTo("virtualOutbound");
  }

  @Test
  void sidecarIngressListenerServesAWorkloadNoServiceSelects() {
    XdsDump dump = golden("sidecar-ingress");
    RouteSimulator sim = new RouteSimulator(dump);
    // The mesh-wide PeerAuthentication (root namespace istio-config) is STRICT: only Istio peers
    // over mTLS reach the ingress port; plaintext finds no chain.
    assertThat(sim.inboundMtlsHttp(9080, "consumer:9080", "/").cluster())
        .isEqualTo("inbound|9080||");
    assertThat(sim.inboundHttp(9080, "consumer:9080", "/").cluster()).isEmpty();
    Cluster inbound = (Cluster) dump.clusters().get("inbound|9080||");
    assertThat(inbound.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(addresses(inbound.getLoadAssignment())).containsExactly("127.0.0.1:8080");
    // Only ns1 is imported by the workload's Sidecar.
    assertThat(outboundServiceClusters(dump))
        .containsExactly("outbound|8081||http1.ns1.svc.cluster.local");
  }

  private static String type(Map<String, Message> clusters, String name) {
    return ((Cluster) clusters.get(name)).getType().name();
  }

  private static List<String> outboundServiceClusters(XdsDump dump) {
    List<String> out = new ArrayList<>();
    for (String name : dump.clusters().keySet()) {
      if (name.startsWith("outbound|")) {
        out.add(name);
      }
    }
    return out;
  }

  private static List<String> addresses(ClusterLoadAssignment cla) {
    List<String> out = new ArrayList<>();
    cla.getEndpointsList()
        .forEach(
            l -> {
              for (LbEndpoint e : l.getLbEndpointsList()) {
                var a = e.getEndpoint().getAddress().getSocketAddress();
                out.add(a.getAddress() + ":" + a.getPortValue());
              }
            });
    return out;
  }
}
