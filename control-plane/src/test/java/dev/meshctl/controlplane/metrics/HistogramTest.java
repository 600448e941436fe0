package dev.meshctl.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistogramTest {

  @Test
  void rendersCumulativeBucketsSumAndCountWithLeLast() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Histogram h =
        r.histogram("pilot_xds_push_time", "Push time.", new double[] {.01, .1, 1}, "type");
    h.observe(0.005, "eds");
    h.observe(0.01, "eds"); // on a bound: counted in that bucket (le = less or equal)
    h.observe(0.5, "eds");
    h.observe(7, "eds");
    h.observe(0.05, "cds");

    assertThat(r.render())
        .isEqualTo(
            """
            # HELP pilot_xds_push_time Push time.
            # TYPE pilot_xds_push_time histogram
            pilot_xds_push_time_bucket{type="cds",le="0.01"} 0
            pilot_xds_push_time_bucket{type="cds",le="0.1"} 1
            pilot_xds_push_time_bucket{type="cds",le="1"} 1
            pilot_xds_push_time_bucket{type="cds",le="+Inf"} 1
            pilot_xds_push_time_sum{type="cds"} 0.05
            pilot_xds_push_time_count{type="cds"} 1
            pilot_xds_push_time_bucket{type="eds",le="0.01"} 2
            pilot_xds_push_time_bucket{type="eds",le="0.1"} 2
            pilot_xds_push_time_bucket{type="eds",le="1"} 3
            pilot_xds_push_time_bucket{type="eds",le="+Inf"} 4
            pilot_xds_push_time_sum{type="eds"} 7.515
            pilot_xds_push_time_count{type="eds"} 4
            """);
    assertThat(h.count("eds")).isEqualTo(4);
    assertThat(h.sum("cds")).isEqualTo(0.05);
    assertThat(h.count("lds")).isZero();
  }

  @Test
  void unlabelledHistogramAndGaugeSet() {
    MetricsRegistry r = new MetricsRegistry();
    r.histogram("d", "D.", new double[] {1}).observe(2);
    MetricsRegistry.Family g = r.gauge("pilot_services", "Services.");
    g.set(5);
    g.set(3);

    assertThat(r.render())
        .isEqualTo(
            """
            # HELP d D.
            # TYPE d histogram
            d_bucket{le="1"} 0
            d_bucket{le="+Inf"} 1
            d_sum 2
            d_count 1
            # HELP pilot_services Services.
            # TYPE pilot_services gauge
            pilot_services 3
            """);
  }

  @Test
  void conflictingRegistrationsAreProgrammingErrors() {
    MetricsRegistry r = new MetricsRegistry();
    MetricsRegistry.Histogram h = r.histogram("h", "H.", new double[] {1, 2});
    assertThat(r.histogram("h", "H.", new double[] {1, 2})).isSameAs(h);
    assertThatThrownBy(() -> r.histogram("h", "H.", new double[] {1, 3}))
        .hasMessage("histogram h is already registered with buckets [1.0, 2.0]");
    assertThatThrownBy(() -> r.counter("h", "H."))
        .hasMessage("metric h is already registered as a histogram []");
    assertThatThrownBy(() -> r.histogram("x", "X.", new double[] {2, 1}))
        .hasMessage("histogram x buckets must ascend, got [2.0, 1.0]");
  }
}
