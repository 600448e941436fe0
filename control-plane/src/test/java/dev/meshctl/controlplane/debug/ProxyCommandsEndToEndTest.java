package dev.meshctl.controlplane.debug;

import static dev.meshctl.controlplane.debug.DebugFixture.MAPPER;
import static dev.meshctl.controlplane.debug.DebugFixture.PROXY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.util.JsonFormat;
import dev.meshctl.controlplane.debug.DebugFixture.Run;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code meshctl proxy-status} and {@code proxy-config} against a real control plane with
 * productpage's sidecar connected: istioctl's tables exactly, valid JSON/YAML, and the messages and
 * exit codes for an unknown proxy and an unreachable control plane.
 */
class ProxyCommandsEndToEndTest {

  /**
   * The proxy-status table for productpage with these per-type words: each column as wide as its
   * widest cell plus istioctl's padding of 5 (the ISTIOD value depends on the environment).
   */
  private static String statusTable(String cds, String lds, String eds, String rds) {
    List<String> header = List.of("NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "ISTIOD");
    List<String> row =
        List.of(
            PROXY, "Kubernetes", cds, lds, eds, rds, DebugEndpoints.istiodName(System.getenv()));
    StringBuilder h = new StringBuilder();
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < header.size(); i++) {
      int width = Math.max(header.get(i).length(), row.get(i).length()) + 5;
      h.append(pad(header.get(i), width));
      r.append(pad(row.get(i), width));
    }
    return h + "VERSION\n" + r + "1.24.0\n";
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  @Test
  void statusTableHelperMatchesIstioctlsLayout() {
    // Guards the helper itself against the layout seen from istioctl (padding 5, last column
    // unpadded), for a fixed ISTIOD value.
    assertThat(pad("NAME", 43) + pad("CLUSTER", 15) + pad("CDS", 11) + "VERSION\n")
        .isEqualTo(
            "NAME                                       CLUSTER        CDS        VERSION\n");
  }

  @Test
  void proxyStatusPrintsIstioctlsTable() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      f.syncWithoutRoutes();
      await()
          .until(
              () -> f.meshctlHere("proxy-status").out(),
              statusTable("SYNCED", "SYNCED", "SYNCED", "NOT SENT")::equals);

      DiscoveryResponse rds = f.requestRoutes();
      f.envoy.nack(rds, "route 9080: invalid virtual host");
      await()
          .until(
              () -> f.meshctlHere("proxy-status").out(),
              statusTable("SYNCED", "SYNCED", "SYNCED", "ERROR")::equals);
      Run run = f.meshctlHere("proxy-status");
      assertThat(run.exitCode()).isZero();
      assertThat(run.err()).isEmpty();
    }
  }

  @Test
  void proxyConfigPrintsIstioctlsTables() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      f.syncWithoutRoutes();
      f.envoy.ack(f.requestRoutes());

      assertThat(f.meshctlHere("proxy-config", "clusters", PROXY))
          .isEqualTo(
              new Run(
                  0,
                  """
                  SERVICE FQDN                              PORT     SUBSET     DIRECTION     TYPE             DESTINATION RULE
                                                            9080     -          inbound       ORIGINAL_DST    \s
                  BlackHoleCluster                          -        -          -             STATIC          \s
                  InboundPassthroughCluster                 -        -          -             ORIGINAL_DST    \s
                  PassthroughCluster                        -        -          -             ORIGINAL_DST    \s
                  details.default.svc.cluster.local         9080     -          outbound      EDS             \s
                  productpage.default.svc.cluster.local     9080     -          outbound      EDS             \s
                  ratings.default.svc.cluster.local         9080     -          outbound      EDS             \s
                  reviews.default.svc.cluster.local         9080     -          outbound      EDS             \s
                  """,
                  ""));
      assertThat(f.meshctlHere("proxy-config", "listeners", PROXY))
          .isEqualTo(
              new Run(
                  0,
                  """
                  ADDRESSES PORT  MATCH                                                                                           DESTINATION
                  0.0.0.0   9080  Trans: raw_buffer; App: http/1.1,h2c                                                            Route: 9080
                  0.0.0.0   15001 ALL                                                                                             PassthroughCluster
                  0.0.0.0   15006 Addr: *:15006                                                                                   Non-HTTP/Non-TCP
                  0.0.0.0   15006 Trans: tls; App: istio-http/1.0,istio-http/1.1,istio-h2                                         Inline Route: /*
                  0.0.0.0   15006 Trans: raw_buffer; App: http/1.1,h2c                                                            Inline Route: /*
                  0.0.0.0   15006 Trans: tls; App: istio,istio-peer-exchange,istio-http/1.0,istio-http/1.1,istio-h2; Addr: *:9080 Inline Route: /*
                  0.0.0.0   15006 Trans: raw_buffer; Addr: *:9080                                                                 Inline Route: /*
                  0.0.0.0   15006 Trans: tls; App: TCP TLS                                                                        InboundPassthroughCluster
                  0.0.0.0   15006 Trans: raw_buffer                                                                               InboundPassthroughCluster
                  0.0.0.0   15006 Trans: tls                                                                                      InboundPassthroughCluster
                  """,
                  ""));
      assertThat(f.meshctlHere("proxy-config", "routes", PROXY))
          .isEqualTo(
              new Run(
                  0,
                  """
                  NAME     VHOST NAME                                     DOMAINS                                  MATCH     VIRTUAL SERVICE
                  9080     details.default.svc.cluster.local:9080         10.96.10.20, details + 1 more...         /*       \s
                  9080     productpage.default.svc.cluster.local:9080     10.96.10.10, productpage + 1 more...     /*       \s
                  9080     ratings.default.svc.cluster.local:9080         10.96.10.30, ratings + 1 more...         /*       \s
                  9080     reviews.default.svc.cluster.local:9080         10.96.10.40, reviews + 1 more...         /*       \s
                  """,
                  ""));
      assertThat(f.meshctlHere("proxy-config", "endpoints", PROXY))
          .isEqualTo(
              new Run(
                  0,
                  """
                  ENDPOINT             STATUS      OUTLIER CHECK     CLUSTER
                  10.244.1.20:9080     HEALTHY     OK                outbound|9080||details.default.svc.cluster.local
                  10.244.1.10:9080     HEALTHY     OK                outbound|9080||productpage.default.svc.cluster.local
                  10.244.1.30:9080     HEALTHY     OK                outbound|9080||ratings.default.svc.cluster.local
                  10.244.2.41:9080     HEALTHY     OK                outbound|9080||reviews.default.svc.cluster.local
                  10.244.2.42:9080     HEALTHY     OK                outbound|9080||reviews.default.svc.cluster.local
                  10.244.2.43:9080     HEALTHY     OK                outbound|9080||reviews.default.svc.cluster.local
                  """,
                  ""));
    }
  }

  @Test
  void proxyConfigJsonAndYamlAreTheResourcesAsServed() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      Map<XdsType, DiscoveryResponse> sent = f.syncWithoutRoutes();

      Run json = f.meshctlHere("proxy-config", "clusters", PROXY, "-o", "json");
      assertThat(json.exitCode()).isZero();
      JsonNode clusters = MAPPER.readTree(json.out());
      List<Cluster> served = new ArrayList<>();
      for (com.google.protobuf.Any any : sent.get(XdsType.CLUSTER).getResourcesList()) {
        served.add(any.unpack(Cluster.class));
      }
      JsonFormat.Parser parser =
          JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registryFor(served));
      List<Cluster> parsed = new ArrayList<>();
      for (JsonNode c : clusters) {
        Cluster.Builder b = Cluster.newBuilder();
        parser.merge(MAPPER.writeValueAsString(c), b);
        parsed.add(b.build());
      }
      assertThat(parsed).containsExactlyElementsOf(served);

      Run yaml = f.meshctlHere("proxy-config", "clusters", PROXY, "-o", "yaml");
      assertThat(yaml.exitCode()).isZero();
      assertThat(yaml.out()).startsWith("- name: ");
      assertThat(new ObjectMapper(new YAMLFactory()).readTree(yaml.out())).isEqualTo(clusters);
    }
  }

  @Test
  void unknownProxyIsAClearErrorWithExitCode1() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      assertThat(f.meshctlHere("proxy-config", "clusters", "nope.default"))
          .isEqualTo(
              new Run(
                  1,
                  "",
                  "Error: proxy nope.default is not connected to the control plane at "
                      + f.addr()
                      + "; 'meshctl proxy-status --addr "
                      + f.addr()
                      + "' lists the connected proxies\n"));
    }
  }

  @Test
  void unreachableControlPlaneNamesTheAddressAndThePortForward() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String addr = "127.0.0.1:" + port;
    String expected =
        "Error: cannot connect to the control plane at "
            + addr
            + " (is it running?). For a control plane in Kubernetes, forward its monitoring port"
            + " first: kubectl port-forward -n istio-system deploy/istiod 15014\n";
    assertThat(DebugFixture.meshctl("proxy-status", "--addr", addr))
        .isEqualTo(new Run(1, "", expected));
    assertThat(DebugFixture.meshctl("proxy-config", "routes", PROXY, "--addr", addr))
        .isEqualTo(new Run(1, "", expected));
  }

  @Test
  void usageErrorsExitWith2() {
    Run run = DebugFixture.meshctl("proxy-config", "bootstrap", PROXY);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "Invalid value for positional parameter at index 0 (TYPE): expected one of"
                + " [clusters, listeners, routes, endpoints, secrets] (case-insensitive) but was"
                + " 'bootstrap'");
  }
}
