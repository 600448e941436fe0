package dev.meshctl.controlplane.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The process's own resource use under the standard Prometheus client names, sampled at each
 * scrape, so dashboards (ours in {@code install/grafana}, and Istio's, which read these names from
 * istiod) show CPU, memory and threads without a node exporter: {@code process_cpu_seconds_total},
 * {@code process_resident_memory_bytes} (Linux), {@code process_start_time_seconds}, {@code
 * process_open_fds} (Unix), {@code jvm_memory_used_bytes{area="heap"|"nonheap"}}, {@code
 * jvm_threads_current}. Registered once per registry; sampling runs on the scraping thread.
 */
public final class ProcessMetrics {
  private static final long PAGE_SIZE = 4096;

  private final MetricsRegistry.Family cpu;
  private final MetricsRegistry.Family rss;
  private final MetricsRegistry.Family start;
  private final MetricsRegistry.Family fds;
  private final MetricsRegistry.Family memory;
  private final MetricsRegistry.Family threads;
  private final Supplier<Optional<String>> statm;

  private ProcessMetrics(MetricsRegistry registry, Supplier<Optional<String>> statm) {
    this.statm = statm;
    cpu =
        registry.counter(
            "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
    rss = registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
    start =
        registry.gauge(
            "process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
    fds = registry.gauge("process_open_fds", "Number of open file descriptors.");
    memory = registry.gauge("jvm_memory_used_bytes", "Used bytes of a JVM memory area.", "area");
    threads = registry.gauge("jvm_threads_current", "Current thread count of the JVM.");
  }

  /** Registers the process metrics on {@code registry}, sampled from this JVM and /proc. */
  public static ProcessMetrics register(MetricsRegistry registry) {
    return register(registry, ProcessMetrics::readStatm);
  }

  /**
   * Registers with {@code statm} supplying the contents of {@code /proc/self/statm} (empty when
   * there is none), so tests can give a known value.
   */
  static ProcessMetrics register(MetricsRegistry registry, Supplier<Optional<String>> statm) {
    ProcessMetrics m = new ProcessMetrics(registry, statm);
    registry.onRender(m::sample);
    return m;
  }

  private void sample() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long nanos = sun.getProcessCpuTime();
      if (nanos >= 0) {
        cpu.set(nanos / 1e9);
      }
    }
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fds.set(unix.getOpenFileDescriptorCount());
    }
    RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    start.set(runtime.getStartTime() / 1000.0);
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    memory.set(mem.getHeapMemoryUsage().getUsed(), "heap");
    memory.set(mem.getNonHeapMemoryUsage().getUsed(), "nonheap");
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    threads.set(t.getThreadCount());
    residentPages(statm.get()).ifPresent(pages -> rss.set(pages * PAGE_SIZE));
  }

  /** The second field of {@code /proc/self/statm}: resident pages. */
  static Optional<Long> residentPages(Optional<String> statm) {
    if (statm.isEmpty()) {
      return Optional.empty();
    }
    String[] fields = statm.get().trim().split("\\s+");
    if (fields.length < 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(fields[1]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> readStatm() {
    Path p = Path.of("/proc/self/statm");
    try {
      return Files.isReadable(p)
          ? Optional.of(Files.readString(p, StandardCharsets.US_ASCII))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
