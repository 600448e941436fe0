package dev.meshctl.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.XdsType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

  @Test
  void rendersPrometheusTextWithExactNamesSortedSeriesAndEscapedLabels() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Family pushes = r.counter("pilot_xds_pushes", "Pushes.", "type");
    pushes.inc("lds");
    pushes.inc("cds");
    pushes.add(2, "cds");
    r.gauge("pilot_xds", "Connected.", "version").inc("1.30 \"x\"");
    r.counter("pilot_total_xds_internal_errors", "Errors.");

    assertThat(r.render())
        .isEqualTo(
            """
            # HELP pilot_total_xds_internal_errors Errors.
            # TYPE pilot_total_xds_internal_errors counter
            # HELP pilot_xds Connected.
            # TYPE pilot_xds gauge
            pilot_xds{version="1.30 \\"x\\""} 1
            # HELP pilot_xds_pushes Pushes.
            # TYPE pilot_xds_pushes counter
            pilot_xds_pushes{type="cds"} 3
            pilot_xds_pushes{type="lds"} 1
            """);
  }

  @Test
  void wrongLabelCountsAndConflictingRegistrationsAreProgrammingErrors() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Family f = r.counter("a", "A.", "type");
    assertThat(r.counter("a", "A.", "type")).isSameAs(f);
    assertThatThrownBy(() -> f.inc()).hasMessage("a takes labels [type], got []");
    assertThatThrownBy(() -> r.gauge("a", "A.", "type"))
        .hasMessage("metric a is already registered as a counter [type]");
  }

  @Test
  void xdsEventsCountNacksValidationRejectsAndConnections() {
    MetricsRegistry r = new MetricsRegistry();
    XdsMetrics m = new XdsMetrics(r);
    Proxy p =
        new Proxy(
            Proxy.ProxyType.SIDECAR,
            List.of("10.0.0.1"),
            "a.default",
            "default.svc.cluster.local",
            "default",
            Map.of(),
            "",
            Proxy.Generator.ENVOY,
            "",
            "1.30.0",
            "sidecar~10.0.0.1~a.default~default.svc.cluster.local");
    m.connected(p);
    m.nacked(p, XdsType.CLUSTER, "v1", "bad cluster");
    m.nacked(p, XdsType.CLUSTER, "v2", "bad cluster");
    m.rejectedByValidation(p, XdsType.LISTENER, "l", List.of());
    m.pushed(p, XdsType.ENDPOINT, 120, 2);
    m.pushTimeMillis(p, XdsType.ENDPOINT, 50);
    m.pushTimeMillis(p, XdsType.ENDPOINT, 2000);
    m.converged(p, java.time.Duration.ofMillis(300));
    m.converged(p, java.time.Duration.ofSeconds(4));
    m.converged(p, java.time.Duration.ofSeconds(31));
    assertThat(r.render())
        .contains("pilot_xds_push_time_bucket{type=\"eds\",le=\"0.01\"} 0\n")
        .contains("pilot_xds_push_time_bucket{type=\"eds\",le=\"0.1\"} 1\n")
        .contains("pilot_xds_push_time_bucket{type=\"eds\",le=\"3\"} 2\n")
        .contains("pilot_xds_push_time_sum{type=\"eds\"} 2.05\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"0.1\"} 0\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"0.5\"} 1\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"3\"} 1\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"5\"} 2\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"30\"} 2\n")
        .contains("pilot_proxy_convergence_time_bucket{le=\"+Inf\"} 3\n")
        .contains("pilot_proxy_convergence_time_sum 35.3\n")
        .contains("pilot_proxy_convergence_time_count 3\n")
        .contains("pilot_xds{version=\"1.30.0\"} 1\n")
        .contains("pilot_total_xds_rejects{type=\"cds\"} 2\n")
        .contains("meshctl_xds_validation_rejects{type=\"lds\"} 1\n")
        .contains("pilot_xds_pushes{type=\"eds\"} 1\n")
        .contains("meshctl_xds_pushed_bytes{type=\"eds\"} 120\n");
    m.disconnected(p);
    assertThat(r.render()).contains("pilot_xds{version=\"1.30.0\"} 0\n");
  }

  @Test
  void istioConfigChangesCountAsConfigUpdatesAndTriggers() {
    MetricsRegistry r = new MetricsRegistry();
    PushMetrics m = new PushMetrics(r);
    ConfigKey vs = ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "default", "reviews");
    ConfigKey slice = ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1");
    m.changed(vs, false);
    m.changed(slice, false);
    m.changeReceived(ConfigChange.of(List.of(vs, slice)));
    assertThat(r.render())
        .contains("pilot_inbound_updates{type=\"config\"} 1\n")
        .contains("pilot_inbound_updates{type=\"eds\"} 1\n")
        .contains("pilot_push_triggers{type=\"config\"} 1\n")
        .contains("pilot_push_triggers{type=\"endpoint\"} 1\n");
  }
}
