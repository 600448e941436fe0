package dev.meshctl.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {

  @Test
  void residentMemoryComesFromTheSecondStatmFieldInPages() {
    MetricsRegistry r = new MetricsRegistry();
    ProcessMetrics.register(r, () -> Optional.of("123456 2500 300 1 0 4000 0\n"));
    assertThat(r.render()).contains("process_resident_memory_bytes " + 2500L * 4096 + "\n");
  }

  @Test
  void withoutProcTheRestIsStillSampled() {
    MetricsRegistry r = new MetricsRegistry();
    ProcessMetrics.register(r, Optional::empty);
    String text = r.render();
    assertThat(text).doesNotContain("\nprocess_resident_memory_bytes ");
    assertThat(value(text, "process_cpu_seconds_total")).isPositive();
    assertThat(value(text, "jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
    assertThat(value(text, "jvm_threads_current")).isPositive();
    assertThat(value(text, "process_start_time_seconds"))
        .isBetween(1.5e9, System.currentTimeMillis() / 1000.0);
  }

  @Test
  void malformedStatmIsIgnored() {
    assertThat(ProcessMetrics.residentPages(Optional.of("garbage"))).isEmpty();
    assertThat(ProcessMetrics.residentPages(Optional.of("1 x"))).isEmpty();
    assertThat(ProcessMetrics.residentPages(Optional.of("1 7"))).contains(7L);
  }

  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    throw new AssertionError(series + " not in\n" + text);
  }
}
