package dev.meshctl.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.meshctl.controlplane.cli.DebugClient.DebugClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl proxy-config clusters|listeners|routes|endpoints|secrets POD.NAMESPACE}: one
 * proxy's config as the control plane serves it now (from {@code /debug/config_dump}), as
 * istioctl's summary table or, with {@code -o json|yaml}, the resources themselves (proto JSON, as
 * istioctl prints them). Exit 0; 1 with a message on stderr when the control plane cannot be read
 * or the proxy is not connected; 2 for usage errors. One instance per invocation.
 */
@Command(
    name = "proxy-config",
    description = {
      "Show a connected proxy's clusters, listeners, routes, endpoints or secrets as the control plane",
      "serves them now, like istioctl proxy-config (table, or -o json|yaml)."
    },
    mixinStandardHelpOptions = true)
final class ProxyConfigCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  /** What to show; the section of the config dump each comes from. */
  enum Kind {
    clusters("ClustersConfigDump"),
    listeners("ListenersConfigDump"),
    routes("RoutesConfigDump"),
    endpoints("EndpointsConfigDump"),
    secrets("SecretsConfigDump");

    private final String section;

    Kind(String section) {
      this.section = section;
    }
  }

  /** Output formats. */
  enum Format {
    table,
    json,
    yaml
  }

  private final PrintWriter out;
  private final PrintWriter err;

  @Parameters(index = "0", paramLabel = "TYPE", description = "One of: ${COMPLETION-CANDIDATES}.")
  private Kind kind;

  @Parameters(
      index = "1",
      paramLabel = "POD.NAMESPACE",
      description = "The proxy: its pod and namespace (or its full node id).")
  private String proxy;

  @Option(
      names = "--addr",
      defaultValue = "127.0.0.1:15014",
      description = "The control plane's monitoring address (default: ${DEFAULT-VALUE}).")
  private String addr;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Format format;

  ProxyConfigCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    JsonNode dump;
    try {
      dump =
          new DebugClient(addr)
              .get(
                  "/debug/config_dump?proxyID=" + URLEncoder.encode(proxy, StandardCharsets.UTF_8));
    } catch (DebugClientException e) {
      err.println(
          "Error: "
              + (e.status() == 404
                  ? "proxy "
                      + proxy
                      + " is not connected to the control plane at "
                      + addr
                      + "; 'meshctl proxy-status --addr "
                      + addr
                      + "' lists the connected proxies"
                  : e.getMessage()));
      return 1;
    }
    JsonNode section = section(dump, kind);
    out.print(
        switch (format) {
          case table -> table(kind, section);
          case json -> write(JSON, resources(kind, section));
          case yaml -> write(YAML, resources(kind, section));
        });
    return CommandLine.ExitCode.OK;
  }

  /** The config dump section for {@code kind}; an empty object when absent. */
  static JsonNode section(JsonNode dump, Kind kind) {
    for (JsonNode config : dump.path("configs")) {
      if (config.path("@type").asText().endsWith("." + kind.section)) {
        return config;
      }
    }
    return JsonNodeFactory.instance.objectNode();
  }

  static String table(Kind kind, JsonNode section) {
    List<JsonNode> resources = ProxyConfigTables.list(resources(kind, section));
    return switch (kind) {
      case clusters -> ProxyConfigTables.clusters(resources);
      case listeners -> ProxyConfigTables.listeners(resources);
      case routes -> ProxyConfigTables.routes(resources);
      case endpoints -> ProxyConfigTables.endpoints(resources);
      case secrets -> SecretsTable.render(resources, Instant.now());
    };
  }

  /**
   * The resources of a section, without their {@code @type} (as istioctl prints them), in the
   * dump's order (by name). Entries that carry only an error state (refused by validation) are left
   * out.
   */
  static ArrayNode resources(Kind kind, JsonNode section) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    String list =
        switch (kind) {
          case clusters -> "dynamic_active_clusters";
          case listeners -> "dynamic_listeners";
          case routes -> "dynamic_route_configs";
          case endpoints -> "dynamic_endpoint_configs";
          case secrets -> "dynamic_active_secrets";
        };
    for (JsonNode entry : section.path(list)) {
      JsonNode resource =
          switch (kind) {
            case clusters -> entry.path("cluster");
            case listeners -> entry.path("active_state").path("listener");
            case routes -> entry.path("route_config");
            case endpoints -> entry.path("endpoint_config");
            case secrets -> entry.path("secret");
          };
      if (resource instanceof ObjectNode o) {
        ObjectNode copy = o.deepCopy();
        copy.remove("@type");
        out.add(copy);
      }
    }
    return out;
  }

  private static String write(ObjectMapper mapper, JsonNode node) {
    try {
      String s = mapper.writeValueAsString(node);
      return s.endsWith("\n") ? s : s + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
