package dev.meshctl.controlplane.demo;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code meshctl demo traffic}: the control plane watching a config directory, the demo backends
 * the directory's EndpointSlices point at, and one proxyless client whose every call is printed
 * with a running {@link Tally}. Editing the directory's VirtualService changes the tally live,
 * because the control plane's file watch pushes every save. {@link #start} and {@link #close} are
 * called by one thread; {@link #tick} by one thread at a time (the timer of {@link #printEvery}).
 */
public final class TrafficDemo implements AutoCloseable {

  /**
   * What to run.
   *
   * @param configDir the directory the control plane serves and watches
   * @param xdsPort the control plane's plaintext xDS port, 0 for any free port
   * @param backends version to port of each backend to start, matching the directory's endpoints
   * @param target the {@code host:port} the client dials through xDS
   * @param headers sent with every call (to exercise a header-match rule)
   * @param window how many recent calls the tally covers
   */
  public record Settings(
      Path configDir,
      int xdsPort,
      Map<String, Integer> backends,
      String target,
      Map<String, String> headers,
      int window) {
    /** The sample's target, {@code reviews.demo.svc.cluster.local:9080}. */
    public static final String DEFAULT_TARGET = "reviews.demo.svc.cluster.local:9080";

    public Settings {
      Objects.requireNonNull(configDir, "configDir");
      backends = Map.copyOf(backends);
      Objects.requireNonNull(target, "target");
      headers = Map.copyOf(headers);
    }
  }

  private final List<DemoBackend> backends;
  private final ControlPlane controlPlane;
  private final DemoClient client;
  private final Tally tally;
  private final AtomicLong calls = new AtomicLong();
  private ScheduledExecutorService timer;

  private TrafficDemo(
      List<DemoBackend> backends, ControlPlane controlPlane, DemoClient client, Tally tally) {
    this.backends = backends;
    this.controlPlane = controlPlane;
    this.client = client;
    this.tally = tally;
  }

  /**
   * Starts the backends, then the control plane on the directory, then the client.
   *
   * @throws IOException if a port cannot be bound or the directory cannot be read; whatever started
   *     before is stopped again
   */
  public static TrafficDemo start(Settings settings) throws IOException {
    List<DemoBackend> backends = new ArrayList<>();
    try {
      for (Map.Entry<String, Integer> b : new TreeMap<>(settings.backends()).entrySet()) {
        backends.add(DemoBackend.start(b.getKey(), b.getValue()));
      }
      ControlPlane cp =
          ControlPlane.start(
              new ControlPlane.Settings(
                  Optional.of(settings.configDir()),
                  settings.xdsPort(),
                  0,
                  new PushLoop.Settings(Duration.ofMillis(100), Duration.ofSeconds(1))),
              AdsXdsFrontend.factory(Clock.systemUTC()),
              Clock.systemUTC());
      DemoClient client = DemoClient.connect(cp.xdsPort(), settings.target(), settings.headers());
      return new TrafficDemo(backends, cp, client, new Tally(settings.window()));
    } catch (IOException | RuntimeException e) {
      backends.forEach(DemoBackend::close);
      throw e;
    }
  }

  /** The running control plane (its port, diagnostics). */
  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The client. */
  public DemoClient client() {
    return client;
  }

  /** The tally of recent calls. */
  public Tally tally() {
    return tally;
  }

  /** The started backends, by version order. */
  public List<DemoBackend> backends() {
    return List.copyOf(backends);
  }

  /**
   * Sends one call, records who answered (a version, or the failure's status code) and returns the
   * line to print, like {@code #12 -> v1 v1 ██████████████████ 90% v2 ██ 10%}.
   */
  public String tick() {
    String answer;
    try {
      answer = client.call();
    } catch (StatusRuntimeException e) {
      answer = e.getStatus().getCode().name();
    }
    tally.record(answer);
    return String.format(
        "#%-5d -> %-12s last %d: %s",
        calls.incrementAndGet(), answer, tally.size(), tally.render());
  }

  /** Calls {@link #tick} every {@code period} on a timer of its own, printing each line. */
  public synchronized void printEvery(Duration period, PrintWriter out) {
    if (timer != null) {
      throw new IllegalStateException("already printing");
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshctl-demo-client");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          out.println(tick());
          out.flush();
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops the timer, the client, the control plane and the backends, in that order. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(6, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    client.close();
    controlPlane.close();
    backends.forEach(DemoBackend::close);
  }
}
