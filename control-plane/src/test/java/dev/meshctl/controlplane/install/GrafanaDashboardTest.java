package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in the chart: well formed, every query reads a metric family a real control
 * plane exposes on {@code /metrics} (so a renamed metric breaks this test, not a user's dashboard),
 * and the chart ships it as a ConfigMap only when asked.
 */
class GrafanaDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:pilot|meshctl|process|jvm)_[a-z0-9_]+)\\b");

  private static Path dashboard() {
    return RenderedChart.chartDir().resolve("dashboards/meshctl-control-plane.json");
  }

  @Test
  void everyQueryReadsAMetricTheControlPlaneExposes() throws Exception {
    JsonNode d = JSON.readTree(Files.readString(dashboard()));
    assertThat(d.path("uid").asText()).isEqualTo("meshctl-control-plane");
    Set<Integer> ids = new HashSet<>();
    Set<String> referenced = new TreeSet<>();
    for (JsonNode panel : d.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel).isTrue();
      assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets"))
          .as("panel %s has queries", panel.path("title"))
          .isNotEmpty();
      for (JsonNode t : panel.path("targets")) {
        Matcher m = METRIC.matcher(t.path("expr").asText());
        boolean any = false;
        while (m.find()) {
          referenced.add(m.group(1).replaceAll("_(bucket|sum|count)$", ""));
          any = true;
        }
        assertThat(any).as("query %s names a metric", t.path("expr")).isTrue();
      }
    }
    assertThat(referenced).contains("pilot_xds", "pilot_xds_pushes", "pilot_total_xds_rejects");

    Set<String> exposed = new TreeSet<>();
    try (ControlPlane cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(10), Duration.ofSeconds(1))),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC())) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + cp.monitoringPort() + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      for (String line : r.body().split("\n")) {
        if (line.startsWith("# TYPE ")) {
          exposed.add(line.split(" ")[2]);
        }
      }
    }
    assertThat(exposed).containsAll(referenced);
  }

  @Test
  void theChartShipsTheDashboardOnlyWhenEnabled() throws Exception {
    assertThat(RenderedChart.render("istio-system").find("ConfigMap", "meshctl-grafana-dashboard"))
        .isEmpty();
    JsonNode cm =
        RenderedChart.renderNonDefault("istio-system")
            .get("ConfigMap", "meshctl-grafana-dashboard");
    assertThat(cm.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(JSON.readTree(cm.at("/data/meshctl-control-plane.json").asText()))
        .isEqualTo(JSON.readTree(Files.readString(dashboard())));
  }
}
