package dev.meshctl.controlplane.debug;

import static dev.meshctl.controlplane.debug.DebugFixture.MAPPER;
import static dev.meshctl.controlplane.debug.DebugFixture.NODE_ID;
import static dev.meshctl.controlplane.debug.DebugFixture.PROXY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The debug API on a real control plane's monitoring port, with productpage's sidecar connected
 * over real gRPC: syncz follows ACKs and NACKs per type, config_dump is Envoy's ConfigDump of what
 * the proxy is served, registryz/configz/push_status describe the embedded sample and its push.
 */
class DebugEndpointsEndToEndTest {

  /** A registry with every type named by an {@code @type} in {@code json}. */
  private static JsonFormat.TypeRegistry registryForTypesIn(JsonNode json) {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    json.findValuesAsText("@type")
        .forEach(
            url ->
                b.add(
                    EnvoyTypes.resolve(url)
                        .orElseThrow(() -> new AssertionError("unresolvable @type " + url))));
    return b.build();
  }

  private static JsonNode proxyEntry(DebugFixture f) {
    JsonNode syncz = f.getJson("/debug/syncz");
    assertThat(syncz).hasSize(1);
    return syncz.get(0);
  }

  @Test
  void synczShowsAckedTypesSyncedAndUnrequestedNotSent() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      Map<XdsType, DiscoveryResponse> sent = f.syncWithoutRoutes();
      await()
          .until(
              () -> proxyEntry(f).path("types").path("lds").path("status").asText(),
              "SYNCED"::equals);

      JsonNode p = proxyEntry(f);
      assertThat(p.path("proxy").asText()).isEqualTo(PROXY);
      assertThat(p.path("node_id").asText()).isEqualTo(NODE_ID);
      assertThat(p.path("cluster_id").asText()).isEqualTo("Kubernetes");
      assertThat(p.path("istio_version").asText()).isEqualTo("1.24.0");
      assertThat(p.path("proxy_type").asText()).isEqualTo("sidecar");
      for (Map.Entry<XdsType, String> t :
          Map.of(
                  XdsType.CLUSTER,
                  "cluster",
                  XdsType.ENDPOINT,
                  "endpoint",
                  XdsType.LISTENER,
                  "listener")
              .entrySet()) {
        DiscoveryResponse r = sent.get(t.getKey());
        JsonNode type = p.path("types").path(t.getKey().shortName());
        assertThat(type.path("status").asText()).isEqualTo("SYNCED");
        assertThat(type.path("sent_nonce").asText()).isEqualTo(r.getNonce());
        assertThat(type.path("acked_nonce").asText()).isEqualTo(r.getNonce());
        assertThat(type.path("sent_version").asText()).isEqualTo(r.getVersionInfo());
        assertThat(type.path("acked_version").asText()).isEqualTo(r.getVersionInfo());
        assertThat(type.has("error")).isFalse();
        assertThat(p.path(t.getValue() + "_sent").asText()).isEqualTo(r.getNonce());
        assertThat(p.path(t.getValue() + "_acked").asText()).isEqualTo(r.getNonce());
      }
      JsonNode rds = p.path("types").path("rds");
      assertThat(rds.path("status").asText()).isEqualTo("NOT SENT");
      assertThat(rds.path("sent_nonce").asText()).isEmpty();
      assertThat(p.path("route_sent").asText()).isEmpty();
    }
  }

  @Test
  void nackShowsErrorWithTheRejectedVersionAndMessage() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      f.syncWithoutRoutes();
      DiscoveryResponse rds = f.requestRoutes();
      f.envoy.nack(rds, "route 9080: invalid virtual host");
      await()
          .until(
              () -> proxyEntry(f).path("types").path("rds").path("status").asText(),
              "ERROR"::equals);

      JsonNode type = proxyEntry(f).path("types").path("rds");
      assertThat(type.path("error").asText()).isEqualTo("route 9080: invalid virtual host");
      assertThat(type.path("nacked_version").asText()).isEqualTo(rds.getVersionInfo());
      assertThat(type.path("acked_version").asText()).isEmpty();
      assertThat(proxyEntry(f).path("types").path("cds").path("status").asText())
          .isEqualTo("SYNCED");
    }
  }

  @Test
  void configDumpIsEnvoysConfigDumpOfWhatTheProxyIsServed() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      Map<XdsType, DiscoveryResponse> sent = f.syncWithoutRoutes();
      HttpResponse<String> r = f.get("/debug/config_dump?proxyID=" + PROXY);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValue("application/json; charset=utf-8");
      // Valid proto JSON: it parses as a ConfigDump (every @type resolvable) and prints back the
      // same, and its clusters and listeners are exactly what the proxy was sent.
      ConfigDump.Builder parsed = ConfigDump.newBuilder();
      JsonFormat.TypeRegistry registry = registryForTypesIn(MAPPER.readTree(r.body()));
      JsonFormat.parser().usingTypeRegistry(registry).merge(r.body(), parsed);
      assertThat(
              JsonFormat.printer()
                      .usingTypeRegistry(registry)
                      .preservingProtoFieldNames()
                      .print(parsed)
                  + "\n")
          .isEqualTo(r.body());
      ClustersConfigDump clusterDump = parsed.getConfigs(0).unpack(ClustersConfigDump.class);
      List<Any> dumpedClusters = new ArrayList<>();
      clusterDump.getDynamicActiveClustersList().forEach(c -> dumpedClusters.add(c.getCluster()));
      assertThat(dumpedClusters)
          .containsExactlyElementsOf(sent.get(XdsType.CLUSTER).getResourcesList());
      ListenersConfigDump listenerDump = parsed.getConfigs(1).unpack(ListenersConfigDump.class);
      List<Any> dumpedListeners = new ArrayList<>();
      listenerDump
          .getDynamicListenersList()
          .forEach(l -> dumpedListeners.add(l.getActiveState().getListener()));
      assertThat(dumpedListeners)
          .containsExactlyElementsOf(sent.get(XdsType.LISTENER).getResourcesList());

      JsonNode json = MAPPER.readTree(r.body());
      List<String> sections = new ArrayList<>();
      json.path("configs").forEach(c -> sections.add(c.path("@type").asText()));
      assertThat(sections)
          .containsExactly(
              "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
              "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
              "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
              "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
      JsonNode clusters = json.path("configs").get(0);
      assertThat(clusters.path("version_info").asText())
          .isEqualTo(sent.get(XdsType.CLUSTER).getVersionInfo());
      assertThat(clusters.path("dynamic_active_clusters"))
          .hasSize(sent.get(XdsType.CLUSTER).getResourcesCount());
      assertThat(
              clusters
                  .path("dynamic_active_clusters")
                  .get(0)
                  .path("cluster")
                  .path("@type")
                  .asText())
          .isEqualTo("type.googleapis.com/envoy.config.cluster.v3.Cluster");
      assertThat(json.path("configs").get(2).path("dynamic_route_configs")).isEmpty();
      // The same state prints the same bytes.
      assertThat(f.get("/debug/config_dump?proxyID=" + NODE_ID).body()).isEqualTo(r.body());
    }
  }

  @Test
  void configDumpOfAnUnknownProxyIs404AndWithoutProxyIdIs400() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      HttpResponse<String> unknown = f.get("/debug/config_dump?proxyID=nope.default");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(MAPPER.readTree(unknown.body()).path("error").asText())
          .isEqualTo(
              "proxy nope.default is not connected to this control plane (see /debug/syncz for"
                  + " connected proxies)");
      HttpResponse<String> missing = f.get("/debug/config_dump");
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(MAPPER.readTree(missing.body()).path("error").asText())
          .isEqualTo("missing query parameter proxyID (POD.NAMESPACE or the node id)");
      assertThat(f.get("/debug/nothing").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void registryConfigAndPushStatusDescribeTheSample() throws Exception {
    try (DebugFixture f = new DebugFixture()) {
      await().until(f.cp::ready);

      JsonNode registry = f.getJson("/debug/registryz");
      List<String> hosts = new ArrayList<>();
      registry.forEach(s -> hosts.add(s.path("hostname").asText()));
      assertThat(hosts)
          .containsExactly(
              "details.default.svc.cluster.local",
              "productpage.default.svc.cluster.local",
              "ratings.default.svc.cluster.local",
              "reviews.default.svc.cluster.local");
      JsonNode reviews = registry.get(3);
      assertThat(reviews.path("vip").asText()).isEqualTo("10.96.10.40");
      assertThat(reviews.path("ports").get(0).path("port").asInt()).isEqualTo(9080);
      assertThat(reviews.path("ports").get(0).path("protocol").asText()).isEqualTo("HTTP");

      JsonNode configz = f.getJson("/debug/configz");
      assertThat(configz).hasSize(f.cp.store().size());
      List<String> keys = new ArrayList<>();
      configz.forEach(
          o ->
              keys.add(
                  o.path("kind").asText()
                      + " "
                      + o.path("namespace").asText()
                      + "/"
                      + o.path("name").asText()));
      // Sorted by kind (Service, EndpointSlice, Pod), namespace, name: the store's key order.
      assertThat(keys)
          .containsExactlyElementsOf(
              f.cp.store().snapshotObjects().stream().map(o -> o.key().toString()).toList())
          .contains("Service default/reviews", "Pod default/reviews-v2-5b8c7f9d4-m3n7q");

      JsonNode push = f.getJson("/debug/push_status");
      assertThat(push.path("pushes").asLong()).isEqualTo(f.cp.pushes());
      assertThat(push.path("full").asBoolean()).isTrue();
      assertThat(push.path("endpoint_only").asBoolean()).isFalse();
      assertThat(push.path("services").asInt()).isEqualTo(4);
      assertThat(push.path("changed")).hasSize(f.cp.store().size());
      assertThat(push.path("time").asText()).isNotEmpty();
      assertThat(push.has("duration_ms")).isTrue();

      List<String> index = new ArrayList<>();
      f.getJson("/debug").forEach(e -> index.add(e.path("path").asText()));
      assertThat(index)
          .containsExactly(
              "/debug/syncz",
              "/debug/config_dump?proxyID=POD.NAMESPACE",
              "/debug/registryz",
              "/debug/configz",
              "/debug/push_status",
              "/debug/config_diagnostics",
              "/debug/logging[?logger=NAME&level=LEVEL]");
    }
  }

  @Test
  void logLevelsAreReadAndChangedAtRuntime() throws Exception {
    String logger = "dev.meshctl.test.runtime";
    try (DebugFixture f = new DebugFixture()) {
      assertThat(org.slf4j.LoggerFactory.getLogger(logger).isTraceEnabled()).isFalse();
      HttpResponse<String> set = f.send("PUT", "/debug/logging?logger=" + logger + "&level=TRACE");
      assertThat(set.statusCode()).isEqualTo(200);
      assertThat(DebugFixture.MAPPER.readTree(set.body()).path("loggers").path(logger).asText())
          .isEqualTo("trace");
      assertThat(org.slf4j.LoggerFactory.getLogger(logger).isTraceEnabled()).isTrue();
      assertThat(
              DebugFixture.MAPPER
                  .readTree(f.get("/debug/logging").body())
                  .path("loggers")
                  .path(logger)
                  .asText())
          .isEqualTo("trace");

      HttpResponse<String> bad = f.send("POST", "/debug/logging?logger=" + logger + "&level=loud");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(DebugFixture.MAPPER.readTree(bad.body()).path("error").asText())
          .isEqualTo(
              "level \"loud\" is not one of [debug, error, info, off, trace, warn];"
                  + " e.g. PUT /debug/logging?logger=dev.meshctl.xds&level=debug");
      assertThat(f.send("DELETE", "/debug/logging").statusCode()).isEqualTo(405);
      assertThat(f.send("PUT", "/debug/logging?logger=" + logger + "&level=off").statusCode())
          .isEqualTo(200);
      assertThat(org.slf4j.LoggerFactory.getLogger(logger).isErrorEnabled()).isFalse();
    }
  }
}
