package dev.meshctl.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.controlplane.cli.DebugClient.DebugClientException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl proxy-status}: istioctl's table of every connected proxy's sync state per xDS
 * type, read from {@code /debug/syncz}: {@code SYNCED} (the proxy ACKed what was sent last), {@code
 * NOT SENT} (nothing sent, e.g. not requested), {@code STALE} (sent, not ACKed yet) or {@code
 * ERROR} (the last version sent was NACKed). Rows sorted by name ({@code POD.NAMESPACE}). Exit 0,
 * or 1 with a message on stderr when the control plane cannot be read. One instance per invocation.
 */
@Command(
    name = "proxy-status",
    description = {
      "Show the sync state of every connected proxy per xDS type, like istioctl proxy-status:",
      "SYNCED (acked what was sent), NOT SENT, STALE (not acked yet), ERROR (rejected)."
    },
    mixinStandardHelpOptions = true)
final class ProxyStatusCommand implements Callable<Integer> {
  private final PrintWriter out;
  private final PrintWriter err;

  @Option(
      names = "--addr",
      defaultValue = "127.0.0.1:15014",
      description = "The control plane's monitoring address (default: ${DEFAULT-VALUE}).")
  private String addr;

  ProxyStatusCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    JsonNode syncz;
    try {
      syncz = new DebugClient(addr).get("/debug/syncz");
    } catch (DebugClientException e) {
      err.println("Error: " + e.getMessage());
      return 1;
    }
    out.print(table(syncz));
    return CommandLine.ExitCode.OK;
  }

  /** The table for a {@code /debug/syncz} document. */
  static String table(JsonNode syncz) {
    List<JsonNode> proxies = new ArrayList<>();
    syncz.forEach(proxies::add);
    proxies.sort(Comparator.comparing((JsonNode p) -> p.path("proxy").asText()));
    TabWriter w =
        new TabWriter(5).row("NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "ISTIOD", "VERSION");
    for (JsonNode p : proxies) {
      JsonNode types = p.path("types");
      w.row(
          p.path("proxy").asText(),
          p.path("cluster_id").asText(),
          types.path("cds").path("status").asText("NOT SENT"),
          types.path("lds").path("status").asText("NOT SENT"),
          types.path("eds").path("status").asText("NOT SENT"),
          types.path("rds").path("status").asText("NOT SENT"),
          p.path("istiod").asText(),
          p.path("istio_version").asText());
    }
    return w.render();
  }
}
