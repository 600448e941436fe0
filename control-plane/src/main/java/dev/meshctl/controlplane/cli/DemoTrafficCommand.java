package dev.meshctl.controlplane.cli;

import dev.meshctl.controlplane.demo.TrafficDemo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl demo traffic}: validates the flags, then hands the settings to a {@link Runner}
 * (the real one runs a {@link TrafficDemo} until Ctrl-C; tests pass a fake). Picocli fills the
 * fields on the main thread; one instance serves one invocation.
 */
@Command(
    name = "traffic",
    description =
        "Run the control plane on a config directory, gRPC backends v1 and v2 on loopback, and a"
            + " proxyless xDS client that prints which version answered each call. Edit the"
            + " directory's VirtualService while it runs. Ctrl-C stops everything.",
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
final class DemoTrafficCommand implements Callable<Integer> {

  /** Runs the demo with validated settings; returns the exit code. */
  @FunctionalInterface
  interface Runner {
    int run(
        TrafficDemo.Settings settings,
        Duration period,
        LogLevel logLevel,
        PrintWriter out,
        PrintWriter err);
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      defaultValue = "samples/traffic-demo/config",
      description = "Directory of Kubernetes and Istio YAML to serve and watch.")
  private Path configDir;

  @Option(
      names = "--backend",
      paramLabel = "VERSION=PORT",
      defaultValue = "v1=19081,v2=19082",
      split = ",",
      description =
          "Backends to start on 127.0.0.1, as the directory's EndpointSlices expect them.")
  private List<String> backends;

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      defaultValue = TrafficDemo.Settings.DEFAULT_TARGET,
      description = "What the client dials (xds:///HOST:PORT).")
  private String target;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "A header sent with every call, like end-user=jason (repeatable).")
  private List<String> headers = List.of();

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      converter = GoDurationConverter.class,
      description = "Time between calls.")
  private Duration interval;

  @Option(
      names = "--window",
      paramLabel = "N",
      defaultValue = "50",
      description = "How many recent calls the tally covers.")
  private int window;

  @Option(
      names = "--xds-port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "The control plane's plaintext xDS port, 0 for any free port.")
  private int xdsPort;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "warn",
      description =
          "Root log level: ${COMPLETION-CANDIDATES}. The default keeps the control plane's"
              + " per-push logs from burying the client's lines.")
  private LogLevel logLevel;

  private final Runner runner;
  private final PrintWriter out;
  private final PrintWriter err;

  DemoTrafficCommand(Runner runner, PrintWriter out, PrintWriter err) {
    this.runner = runner;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (!Files.isDirectory(configDir)) {
      throw usage("--config-dir " + configDir + " is not a directory");
    }
    if (window <= 0) {
      throw usage("--window must be positive, got " + window);
    }
    if (interval.isZero() || interval.isNegative()) {
      throw usage("--interval must be positive, got " + interval);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String b : backends) {
      String[] kv = b.split("=", 2);
      int port;
      try {
        port = kv.length == 2 ? Integer.parseInt(kv[1].trim()) : -1;
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (kv[0].isBlank() || port < 0 || port > 65535) {
        throw usage("--backend must be VERSION=PORT with a port 0-65535, got '" + b + "'");
      }
      ports.put(kv[0].trim(), port);
    }
    Map<String, String> sent = new LinkedHashMap<>();
    for (String h : headers) {
      String[] kv = h.split("=", 2);
      if (kv.length != 2 || kv[0].isBlank() || !kv[0].equals(kv[0].toLowerCase())) {
        throw usage("--header must be NAME=VALUE with a lower-case name, got '" + h + "'");
      }
      sent.put(kv[0], kv[1]);
    }
    return runner.run(
        new TrafficDemo.Settings(configDir, xdsPort, ports, target, sent, window),
        interval,
        logLevel,
        out,
        err);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The real runner: starts the demo, prints a line per call, stops on Ctrl-C (SIGINT). */
  static int runUntilShutdown(
      TrafficDemo.Settings settings,
      Duration period,
      LogLevel logLevel,
      PrintWriter out,
      PrintWriter err) {
    logLevel.applyToRoot();
    TrafficDemo demo;
    try {
      demo = TrafficDemo.start(settings);
    } catch (IOException | RuntimeException e) {
      err.println("meshctl demo traffic: cannot start: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  demo.close();
                  out.println("demo stopped");
                  out.flush();
                  stopped.countDown();
                },
                "meshctl-demo-shutdown"));
    out.println(
        "control plane on "
            + settings.configDir()
            + " (xDS 127.0.0.1:"
            + demo.controlPlane().xdsPort()
            + "); backends "
            + demo.backends().stream().map(b -> b.version() + " :" + b.port()).toList()
            + "; client dials "
            + demo.client().target()
            + (settings.headers().isEmpty() ? "" : " with headers " + settings.headers()));
    demo.controlPlane().diagnostics().forEach(d -> err.println("config problem: " + d));
    out.println("edit " + settings.configDir().resolve("virtual-service.yaml") + "; Ctrl-C stops");
    out.flush();
    demo.printEvery(period, out);
    boolean interrupted = false;
    while (stopped.getCount() > 0) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting: only the shutdown hook ends the demo
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }
}
