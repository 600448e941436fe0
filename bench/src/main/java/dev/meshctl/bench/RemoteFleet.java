package dev.meshctl.bench;

import dev.meshctl.bench.AckingAdsClient.ClientStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClientFleet} in a child JVM (same classpath), driven over its stdin/stdout, so the
 * benchmark JVM holds only the server and its heap per proxy is the server's alone. Both JVMs read
 * {@code System.nanoTime()}, which on Linux is the system-wide monotonic clock, so the child's ACK
 * times compare with the parent's push time.
 */
final class RemoteFleet implements Fleet {
  private final Process process;
  private final BufferedReader in;
  private final PrintStream out;

  /**
   * Starts the child and waits for its clients to have sent their first requests.
   *
   * @param heap the child's {@code -Xmx}, e.g. {@code 2g}
   */
  RemoteFleet(
      int port,
      int services,
      int endpoints,
      int proxies,
      int namespaces,
      int timeoutSec,
      String heap)
      throws IOException {
    List<String> cmd =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx" + heap,
            "-cp",
            System.getProperty("java.class.path"),
            ClientFleet.class.getName(),
            "--port",
            Integer.toString(port),
            "--services",
            Integer.toString(services),
            "--endpoints",
            Integer.toString(endpoints),
            "--proxies",
            Integer.toString(proxies),
            "--namespaces",
            Integer.toString(namespaces),
            "--timeout-seconds",
            Integer.toString(timeoutSec));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    out = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    expect("READY");
  }

  @Override
  public boolean awaitConverged(Duration timeout) throws IOException {
    return command("AWAIT_CONVERGED").startsWith("CONVERGED true");
  }

  @Override
  public void expectEdsUpdate() throws IOException {
    expect(command("EXPECT_EDS"), "ARMED");
  }

  @Override
  public boolean awaitEdsUpdated(Duration timeout) throws IOException {
    return command("AWAIT_EDS").equals("EDS true");
  }

  @Override
  public List<ClientStats> stats() throws IOException {
    out.println("STATS");
    List<ClientStats> stats = new ArrayList<>();
    String line;
    while (!(line = readLine()).equals("END")) {
      stats.add(decode(line));
    }
    return stats;
  }

  @Override
  public long clientCpuNanos() throws IOException {
    String line = command("CPU");
    try {
      return Long.parseLong(line);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("client fleet answered '" + line + "' to CPU", e);
    }
  }

  @Override
  public void close() {
    out.println("EXIT");
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** One client's stats as a line: converged, eds, bytes, four response counts, error. */
  static String encode(ClientStats s) {
    int[] r = s.responses();
    return s.convergedNanos()
        + " "
        + s.edsUpdatedNanos()
        + " "
        + s.bytes()
        + " "
        + r[0]
        + " "
        + r[1]
        + " "
        + r[2]
        + " "
        + r[3]
        + " "
        + s.error().replace('\n', ' ');
  }

  static ClientStats decode(String line) {
    String[] f = line.split(" ", 8);
    if (f.length < 7) {
      throw new IllegalStateException("client fleet sent a malformed stats line: " + line);
    }
    int[] r = {
      Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6])
    };
    return new ClientStats(
        r,
        Long.parseLong(f[2]),
        Long.parseLong(f[0]),
        Long.parseLong(f[1]),
        f.length > 7 ? f[7] : "");
  }

  private String command(String command) throws IOException {
    out.println(command);
    return readLine();
  }

  private void expect(String wanted) throws IOException {
    expect(readLine(), wanted);
  }

  private static void expect(String got, String wanted) {
    if (!got.equals(wanted)) {
      throw new IllegalStateException("client fleet answered '" + got + "', expected " + wanted);
    }
  }

  private String readLine() throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new IOException("client fleet exited (code " + exitCode() + ")");
    }
    return line;
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
