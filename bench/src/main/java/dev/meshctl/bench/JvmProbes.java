package dev.meshctl.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark reads from its own JVM: heap after GC, process CPU time, GC time, a class
 * histogram. Measurement only, never synchronisation. Stateless; any thread.
 */
final class JvmProbes {
  private JvmProbes() {}

  /**
   * Used heap after full collections. {@code System.gc()} is a request; three in a row make a
   * collection of what became garbage during the previous ones very likely. Measurement, not
   * synchronisation.
   */
  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Writes this JVM's live-object class histogram ({@code jcmd PID GC.class_histogram}) to {@code
   * file}: what the converged server's heap is made of. Waits at most a minute for jcmd.
   */
  static void histogram(Path file) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(
                jcmd.toString(), Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static long gcMillis() {
    long sum = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }
}
