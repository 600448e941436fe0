package dev.meshctl.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * istioctl's {@code proxy-config} summary tables, computed from resources in proto JSON (Envoy's
 * snake_case names; proto JSON leaves default values out, so absent fields read as their defaults).
 * Columns and their content follow istioctl's {@code configdump} writer: clusters (SERVICE FQDN,
 * PORT, SUBSET, DIRECTION, TYPE, DESTINATION RULE), listeners (ADDRESSES, PORT, MATCH, DESTINATION;
 * one row per filter chain), routes (NAME, VHOST NAME, DOMAINS, MATCH, VIRTUAL SERVICE; one row per
 * route, passthrough routes left out), endpoints (ENDPOINT, STATUS, OUTLIER CHECK, CLUSTER).
 * Stateless; any thread.
 */
final class ProxyConfigTables {
  private static final String HCM =
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  private static final String TCP_PROXY = "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

  /** Known ALPN sets and how istioctl abbreviates them. */
  private static final Map<List<String>, String> ALPN_NAMES =
      Map.of(
          List.of("http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"),
              "App: HTTP TLS",
          List.of("istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"), "App: Istio HTTP Plain",
          List.of("istio-peer-exchange", "istio"), "App: TCP TLS",
          List.of("http/1.0", "http/1.1", "h2c"), "App: HTTP");

  private ProxyConfigTables() {}

  static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  // ---- clusters ----

  /** A cluster name split like Istio's subset keys: {@code direction|port|subset|fqdn}. */
  private record ClusterKey(String direction, String subset, String fqdn, int port) {
    static final Comparator<ClusterKey> ORDER =
        Comparator.comparing(ClusterKey::fqdn)
            .thenComparing(ClusterKey::subset)
            .thenComparingInt(ClusterKey::port)
            .thenComparing(ClusterKey::direction);

    static ClusterKey parse(String name) {
      String[] p = name.split("\\|", -1);
      if (p.length > 3) {
        int port;
        try {
          port = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
          port = 0;
        }
        return new ClusterKey(p[0], p[2], p[3], port);
      }
      return new ClusterKey("", "", name, 0);
    }

    boolean isSubsetKey() {
      return !direction.isEmpty();
    }
  }

  static String clusters(List<JsonNode> clusters) {
    List<JsonNode> sorted = new ArrayList<>(clusters);
    sorted.sort(
        Comparator.comparing(
            (JsonNode c) -> ClusterKey.parse(c.path("name").asText()), ClusterKey.ORDER));
    TabWriter w =
        new TabWriter(5)
            .row("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE");
    for (JsonNode c : sorted) {
      String name = c.path("name").asText();
      ClusterKey k = ClusterKey.parse(name);
      String type = c.path("type").asText("STATIC");
      String dr = configOf(c.path("metadata"));
      if (k.isSubsetKey()) {
        w.row(
            k.fqdn(),
            Integer.toString(k.port()),
            k.subset().isEmpty() ? "-" : k.subset(),
            k.direction(),
            type,
            dr);
      } else {
        w.row(name, "-", "-", "-", type, dr);
      }
    }
    return w.render();
  }

  /**
   * The Istio config an Envoy resource came from ({@code filter_metadata.istio.config}, a path
   * {@code /apis/networking.istio.io/v1alpha3/namespaces/NS/KIND/NAME}) as {@code NAME.NS}; {@code
   * ""} without one, {@code <unknown>} for another form.
   */
  static String configOf(JsonNode metadata) {
    JsonNode config = metadata.path("filter_metadata").path("istio").path("config");
    if (!config.isTextual()) {
      return "";
    }
    String[] p = config.asText().split("/", -1);
    if (config.asText().startsWith("/apis/networking.istio.io/v1alpha3/namespaces/")
        && p.length == 8) {
      return p[7] + "." + p[5];
    }
    return "<unknown>";
  }

  // ---- listeners ----

  static String listeners(List<JsonNode> listeners) {
    List<JsonNode> sorted = new ArrayList<>(listeners);
    sorted.sort(
        Comparator.comparingLong((JsonNode l) -> port(l.path("address")))
            .thenComparing(l -> address(l.path("address")))
            .thenComparing(ProxyConfigTables::listenerType));
    TabWriter w = new TabWriter(1).row("ADDRESSES", "PORT", "MATCH", "DESTINATION");
    for (JsonNode l : sorted) {
      List<String> addresses = new ArrayList<>();
      addresses.add(address(l.path("address")));
      for (JsonNode a : l.path("additional_addresses")) {
        addresses.add(address(a.path("address")));
      }
      String port = Long.toString(port(l.path("address")));
      List<String[]> chains = new ArrayList<>();
      for (JsonNode chain : l.path("filter_chains")) {
        chains.add(new String[] {chainMatch(chain.path("filter_chain_match")), destination(chain)});
      }
      // istioctl orders a listener's chains by destination, descending.
      chains.sort(Comparator.comparing((String[] c) -> c[1]).reversed());
      for (String[] c : chains) {
        w.row(String.join(",", addresses), port, c[0], c[1]);
      }
    }
    return w.render();
  }

  private static String address(JsonNode address) {
    JsonNode socket = address.path("socket_address");
    return socket.isMissingNode()
        ? address.path("pipe").path("path").asText()
        : socket.path("address").asText();
  }

  private static long port(JsonNode address) {
    return address.path("socket_address").path("port_value").asLong(0);
  }

  /**
   * HTTP, TCP, HTTP+TCP or UNKNOWN, by the chains' filters (a TCP proxy to the black hole is not
   * TCP).
   */
  private static String listenerType(JsonNode listener) {
    int http = 0;
    int tcp = 0;
    for (JsonNode chain : listener.path("filter_chains")) {
      for (JsonNode f : chain.path("filters")) {
        if (is(f, HCM)) {
          http++;
        } else if (is(f, TCP_PROXY) && !f.toString().contains("BlackHoleCluster")) {
          tcp++;
        }
      }
    }
    if (http > 0) {
      return tcp == 0 ? "HTTP" : "HTTP+TCP";
    }
    return tcp > 0 ? "TCP" : "UNKNOWN";
  }

  private static boolean is(JsonNode filter, String type) {
    return filter.path("typed_config").path("@type").asText().endsWith("/" + type);
  }

  private static String chainMatch(JsonNode m) {
    List<String> d = new ArrayList<>();
    if (m.path("server_names").size() > 0) {
      d.add("SNI: " + String.join(",", strings(m.path("server_names"))));
    }
    if (!m.path("transport_protocol").asText().isEmpty()) {
      d.add("Trans: " + m.path("transport_protocol").asText());
    }
    if (m.path("application_protocols").size() > 0) {
      List<String> alpn = strings(m.path("application_protocols"));
      d.add(ALPN_NAMES.getOrDefault(alpn, "App: " + String.join(",", alpn)));
    }
    String port = m.has("destination_port") ? ":" + m.path("destination_port").asLong() : "";
    if (m.path("prefix_ranges").size() > 0) {
      List<String> ranges = new ArrayList<>();
      for (JsonNode r : m.path("prefix_ranges")) {
        ranges.add(r.path("address_prefix").asText() + "/" + r.path("prefix_len").asLong(0));
      }
      d.add("Addr: " + String.join(",", ranges) + port);
    } else if (!port.isEmpty()) {
      d.add("Addr: *" + port);
    }
    return d.isEmpty() ? "ALL" : String.join("; ", d);
  }

  private static String destination(JsonNode chain) {
    for (JsonNode f : chain.path("filters")) {
      JsonNode config = f.path("typed_config");
      if (is(f, HCM)) {
        if (config.has("route_config")) {
          return "Inline Route: " + inlineRoutes(config.path("route_config"));
        }
        String rds = config.path("rds").path("route_config_name").asText();
        return rds.isEmpty() ? "HTTP" : "Route: " + rds;
      }
      if (is(f, TCP_PROXY) && !config.toString().contains("BlackHoleCluster")) {
        String cluster = config.path("cluster").asText();
        return cluster.contains("Cluster") ? cluster : "Cluster: " + cluster;
      }
    }
    return "Non-HTTP/Non-TCP";
  }

  private static String inlineRoutes(JsonNode routeConfig) {
    List<String> vhosts = new ArrayList<>();
    for (JsonNode vh : routeConfig.path("virtual_hosts")) {
      List<String> domains = strings(vh.path("domains"));
      List<String> matches = new ArrayList<>();
      for (JsonNode r : vh.path("routes")) {
        matches.add(match(r.path("match")));
      }
      String routes = String.join(", ", matches);
      vhosts.add(domains.equals(List.of("*")) ? routes : String.join("/", domains) + " " + routes);
    }
    return String.join("; ", vhosts);
  }

  // ---- routes ----

  static String routes(List<JsonNode> routeConfigs) {
    List<JsonNode> sorted = new ArrayList<>(routeConfigs);
    // Numeric names (ports) first, by value; then the others by name.
    sorted.sort(
        Comparator.comparing((JsonNode r) -> !isNumber(r.path("name").asText()))
            .thenComparingLong(
                r ->
                    isNumber(r.path("name").asText()) ? Long.parseLong(r.path("name").asText()) : 0)
            .thenComparing(r -> r.path("name").asText()));
    TabWriter w = new TabWriter(5).row("NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE");
    for (JsonNode rc : sorted) {
      String name = rc.path("name").asText();
      for (JsonNode vh : rc.path("virtual_hosts")) {
        String domains = domains(strings(vh.path("domains")));
        for (JsonNode r : vh.path("routes")) {
          if (!r.path("route").path("cluster").asText().equals("PassthroughCluster")) {
            w.row(
                name,
                vh.path("name").asText(),
                domains,
                match(r.path("match")),
                configOf(r.path("metadata")));
          }
        }
        if (vh.path("routes").size() == 0) {
          w.row(name, vh.path("name").asText(), domains, "/*", "404");
        }
      }
    }
    return w.render();
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.length() < 10 && s.chars().allMatch(Character::isDigit);
  }

  /**
   * A virtual host's domains as istioctl abbreviates them: without the {@code :port} forms and the
   * longer spellings of a name also present in short form, at most two, then {@code + N more...}.
   */
  static String domains(List<String> domains) {
    if (domains.isEmpty()) {
      return "";
    }
    if (domains.size() == 1) {
      return domains.get(0);
    }
    List<String> withoutPort = new ArrayList<>();
    for (String d : domains) {
      long colons = d.chars().filter(ch -> ch == ':').count();
      if (colons == 0 || (colons > 2 && d.endsWith("]"))) {
        withoutPort.add(d);
      }
    }
    Set<String> unique = new LinkedHashSet<>(withoutPort);
    List<String> kept = new ArrayList<>();
    for (String h : withoutPort) {
      boolean longForm =
          (h.endsWith(".svc.cluster.local")
                  && unique.contains(h.substring(0, h.length() - ".svc.cluster.local".length())))
              || (h.endsWith(".svc")
                  && unique.contains(h.substring(0, h.length() - ".svc".length())));
      if (!longForm) {
        kept.add(h);
      }
    }
    if (kept.size() > 2) {
      return String.join(", ", kept.subList(0, 2)) + " + " + (kept.size() - 2) + " more...";
    }
    return String.join(", ", kept);
  }

  private static String match(JsonNode m) {
    List<String> c = new ArrayList<>();
    if (!m.path("prefix").asText().isEmpty()) {
      c.add(m.path("prefix").asText() + "*");
    }
    if (!m.path("path").asText().isEmpty()) {
      c.add(m.path("path").asText());
    }
    if (m.has("safe_regex")) {
      c.add("regex " + m.path("safe_regex").path("regex").asText());
    }
    if (!m.path("path_separated_prefix").asText().isEmpty()) {
      c.add(m.path("path_separated_prefix").asText() + "/*");
    }
    return String.join(" ", c);
  }

  // ---- endpoints ----

  /**
   * One row per endpoint, clusters in istioctl's order. STATUS is the EDS health status, with
   * UNKNOWN (unset) shown as HEALTHY because that is how Envoy treats and reports it; OUTLIER CHECK
   * is always OK: outlier ejection happens in the proxy, which the control plane cannot see.
   */
  static String endpoints(List<JsonNode> assignments) {
    List<JsonNode> sorted = new ArrayList<>(assignments);
    sorted.sort(
        Comparator.comparing(
            (JsonNode c) -> ClusterKey.parse(c.path("cluster_name").asText()), ClusterKey.ORDER));
    TabWriter w = new TabWriter(5).row("ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER");
    for (JsonNode cla : sorted) {
      for (JsonNode locality : cla.path("endpoints")) {
        for (JsonNode ep : locality.path("lb_endpoints")) {
          JsonNode a = ep.path("endpoint").path("address");
          String address =
              a.has("socket_address")
                  ? address(a) + ":" + port(a)
                  : a.path("pipe").path("path").asText();
          String status = ep.path("health_status").asText("UNKNOWN");
          w.row(
              address,
              status.equals("UNKNOWN") ? "HEALTHY" : status,
              "OK",
              cla.path("cluster_name").asText());
        }
      }
    }
    return w.render();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
