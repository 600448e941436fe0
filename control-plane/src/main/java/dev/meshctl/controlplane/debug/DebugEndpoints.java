package dev.meshctl.controlplane.debug;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.meshctl.controlplane.debug.PushStatusRecorder.PushStatus;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.server.ConnectionStatus;
import dev.meshctl.xds.server.ProxyConfigDump;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's debug API on the monitoring port, read-only: {@code /debug} (index), {@code
 * /debug/syncz}, {@code /debug/config_dump?proxyID=}, {@code /debug/registryz}, {@code
 * /debug/configz} and {@code /debug/push_status}. Every answer is JSON with a fixed order (sorted
 * collections, fixed field order), so the same state always prints the same bytes. An unknown proxy
 * is a 404 and a missing {@code proxyID} a 400, each with a JSON {@code error} message.
 *
 * <p>Threads: handlers run on the monitoring server's executor and only read thread-safe sources.
 */
public final class DebugEndpoints {
  private static final Logger log = LoggerFactory.getLogger(DebugEndpoints.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Path to description, in the order {@code /debug} lists them. */
  static final Map<String, String> ENDPOINTS = endpoints();

  /**
   * What the endpoints read.
   *
   * @param connections every connected ADS stream (the xDS frontend's)
   * @param configDump what a proxy (node id or {@code POD.NAMESPACE}) would be served now
   * @param storeObjects a consistent copy of the config store
   * @param pushes the last push and its snapshot
   * @param istiod this control plane's name, shown in syncz and proxy-status
   */
  public record Sources(
      Supplier<List<ConnectionStatus>> connections,
      Function<String, Optional<ProxyConfigDump>> configDump,
      Supplier<List<ConfigObject>> storeObjects,
      PushStatusRecorder pushes,
      String istiod) {
    public Sources {
      Objects.requireNonNull(connections, "connections");
      Objects.requireNonNull(configDump, "configDump");
      Objects.requireNonNull(storeObjects, "storeObjects");
      Objects.requireNonNull(pushes, "pushes");
      Objects.requireNonNull(istiod, "istiod");
    }
  }

  private DebugEndpoints() {}

  /** Registers every endpoint with {@code routes} (path, handler), e.g. a server's contexts. */
  public static void register(BiConsumer<String, HttpHandler> routes, Sources sources) {
    routes.accept(
        "/debug/syncz",
        json(q -> ok(SyncStatusView.render(sources.connections().get(), sources.istiod()))));
    routes.accept("/debug/config_dump", ex -> configDump(ex, sources));
    routes.accept("/debug/registryz", json(q -> ok(registry(sources.pushes().lastSnapshot()))));
    routes.accept("/debug/configz", json(q -> ok(configz(sources.storeObjects().get()))));
    routes.accept("/debug/push_status", json(q -> ok(pushStatus(sources.pushes().last()))));
    routes.accept("/debug/logging", DebugEndpoints::logging);
    // The JDK server routes by longest prefix: this one also catches unknown /debug/ paths.
    routes.accept("/debug", DebugEndpoints::index);
  }

  /**
   * The control plane's name for syncz: {@code POD_NAME} (set by the chart from the downward API),
   * else {@code HOSTNAME} (the pod name in Kubernetes), else {@code meshctl}.
   */
  public static String istiodName(Map<String, String> env) {
    for (String v : List.of("POD_NAME", "HOSTNAME")) {
      String value = env.get(v);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return "meshctl";
  }

  private static Map<String, String> endpoints() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("/debug/syncz", "per proxy and xDS type: sent and acked nonce and version, status");
    m.put(
        "/debug/config_dump?proxyID=POD.NAMESPACE",
        "the proxy's current config, Envoy ConfigDump JSON");
    m.put("/debug/registryz", "services of the last push: hosts, ports, VIP");
    m.put("/debug/configz", "every object in the config store: kind, namespace, name");
    m.put("/debug/push_status", "the last push: time, what changed, proxies, duration");
    m.put("/debug/config_diagnostics", "current config problems, one per line (text)");
    m.put(
        "/debug/logging[?logger=NAME&level=LEVEL]",
        "log levels; PUT or POST with logger (default root) and level changes one at runtime");
    return m;
  }

  private static void index(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (!path.equals("/debug") && !path.equals("/debug/")) {
      send(ex, 404, error("no debug endpoint " + path + "; see /debug for the list"));
      return;
    }
    ArrayNode list = JSON.arrayNode();
    ENDPOINTS.forEach((p, d) -> list.add(JSON.objectNode().put("path", p).put("description", d)));
    send(ex, 200, list);
  }

  private static void configDump(HttpExchange ex, Sources sources) throws IOException {
    String proxyId = query(ex).get("proxyID");
    if (proxyId == null || proxyId.isBlank()) {
      send(ex, 400, error("missing query parameter proxyID (POD.NAMESPACE or the node id)"));
      return;
    }
    Optional<ProxyConfigDump> dump = sources.configDump().apply(proxyId);
    if (dump.isEmpty()) {
      send(ex, 404, error(unknownProxy(proxyId)));
      return;
    }
    String body;
    try {
      body = ConfigDumpView.render(dump.get());
    } catch (InvalidProtocolBufferException e) {
      send(ex, 500, error("cannot print the config of " + proxyId + " as JSON: " + e.getMessage()));
      return;
    }
    sendRaw(ex, 200, body);
  }

  /** The 404 message for a proxy that is not connected. */
  static String unknownProxy(String proxyId) {
    return "proxy "
        + proxyId
        + " is not connected to this control plane (see /debug/syncz for connected proxies)";
  }

  static ArrayNode registry(Optional<MeshSnapshot> snapshot) {
    ArrayNode out = JSON.arrayNode();
    if (snapshot.isEmpty()) {
      return out;
    }
    snapshot.get().services().byHost().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              Service s = e.getValue();
              ObjectNode o = out.addObject();
              o.put("hostname", e.getKey());
              o.put("namespace", s.id().namespace());
              o.put("name", s.id().name());
              o.put("vip", s.vip());
              o.put("headless", s.headless());
              ArrayNode ports = o.putArray("ports");
              for (ServicePort p : s.ports()) {
                ports
                    .addObject()
                    .put("name", p.name())
                    .put("port", p.port())
                    .put("protocol", p.protocol().name());
              }
            });
    return out;
  }

  static ArrayNode configz(List<ConfigObject> objects) {
    ArrayNode out = JSON.arrayNode();
    objects.stream()
        .sorted(Comparator.comparing(ConfigObject::key))
        .forEach(
            o ->
                out.addObject()
                    .put("kind", o.key().kind().kubeKind())
                    .put("namespace", o.id().namespace())
                    .put("name", o.id().name()));
    return out;
  }

  static JsonNode pushStatus(Optional<PushStatus> last) {
    ObjectNode o = JSON.objectNode();
    if (last.isEmpty()) {
      o.put("pushes", 0);
      return o;
    }
    PushStatus p = last.get();
    o.put("pushes", p.pushes());
    o.put("time", p.time().toString());
    o.put("full", p.full());
    o.put("endpoint_only", p.endpointOnly());
    o.put("merged_changes", p.mergedChanges());
    ArrayNode changed = o.putArray("changed");
    p.changed().forEach(changed::add);
    o.put("services", p.services());
    o.put("proxies", p.proxies());
    o.put("snapshot_build_ms", p.snapshotBuild().toMillis());
    o.put("debounce_ms", p.debounce().toMillis());
    o.put("duration_ms", p.duration().toMillis());
    return o;
  }

  private static void logging(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    if (method.equals("PUT") || method.equals("POST")) {
      Map<String, String> q = query(ex);
      Optional<String> problem = LogLevels.set(q.get("logger"), q.get("level"));
      if (problem.isPresent()) {
        send(ex, 400, error(problem.get()));
        return;
      }
      log.info(
          "event=log_level_changed logger={} level={}",
          q.getOrDefault("logger", "root").isEmpty() ? "root" : q.getOrDefault("logger", "root"),
          q.get("level").toLowerCase(java.util.Locale.ROOT));
    } else if (!method.equals("GET")) {
      send(ex, 405, error("use GET to read log levels, PUT or POST to change one"));
      return;
    }
    ObjectNode levels = JSON.objectNode();
    LogLevels.current().forEach(levels::put);
    send(ex, 200, JSON.objectNode().set("loggers", levels));
  }

  // ---- HTTP plumbing ----

  private record Answer(int status, JsonNode body) {}

  private static Answer ok(JsonNode body) {
    return new Answer(200, body);
  }

  private interface JsonView {
    Answer answer(Map<String, String> query);
  }

  private static HttpHandler json(JsonView view) {
    return ex -> {
      Answer a = view.answer(query(ex));
      send(ex, a.status(), a.body());
    };
  }

  private static ObjectNode error(String message) {
    return JSON.objectNode().put("error", message);
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    String text;
    try {
      text = MAPPER.writeValueAsString(body) + "\n";
    } catch (JsonProcessingException e) {
      throw new IOException(e);
    }
    sendRaw(ex, status, text);
  }

  private static void sendRaw(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
