package dev.meshctl.controlplane.cli;

import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.store.CaKeyMaterialException;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.leader.ElectionSettings;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.security.SecuritySettings;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.model.PilotFeatures;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl serve}: validates the flags, then hands the settings to a {@link Server} (the real
 * one runs a {@link ControlPlane} until SIGTERM/SIGINT; tests pass a fake). Picocli fills the
 * fields on the main thread; one instance serves one invocation.
 */
@Command(
    name = "serve",
    description =
        "Run the control plane: watch the config, push xDS (plaintext and TLS), run the CA,"
            + " serve the injection webhook and /ready.",
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  /** Runs the control plane with validated settings; returns the exit code. */
  @FunctionalInterface
  public interface Server {
    int serve(ControlPlane.Settings settings, LogLevel logLevel, PrintWriter out, PrintWriter err);

    /** Like the four-argument form, with the xDS frontend's push pacing; ignored by default. */
    default int serve(
        ControlPlane.Settings settings,
        AdsXdsFrontend.Settings xds,
        LogLevel logLevel,
        PrintWriter out,
        PrintWriter err) {
      return serve(settings, logLevel, out, err);
    }
  }

  /** The real server: {@link #serveUntilShutdown}. */
  static final Server REAL =
      new Server() {
        @Override
        public int serve(
            ControlPlane.Settings settings, LogLevel logLevel, PrintWriter out, PrintWriter err) {
          return serveUntilShutdown(settings, AdsXdsFrontend.Settings.DEFAULT, logLevel, out, err);
        }

        @Override
        public int serve(
            ControlPlane.Settings settings,
            AdsXdsFrontend.Settings xds,
            LogLevel logLevel,
            PrintWriter out,
            PrintWriter err) {
          return serveUntilShutdown(settings, xds, logLevel, out, err);
        }
      };

  @Spec private CommandSpec spec;

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      description =
          "Directory of Kubernetes YAML to serve and watch (env MESHCTL_CONFIG_DIR). Without it,"
              + " the embedded Bookinfo sample is served.")
  private Path configDir;

  @Option(
      names = "--xds-port",
      paramLabel = "PORT",
      defaultValue = "15010",
      description = "gRPC xDS port, 0 for any free port (env MESHCTL_XDS_PORT).")
  private int xdsPort;

  @Option(
      names = "--monitoring-port",
      paramLabel = "PORT",
      defaultValue = "15014",
      description = "HTTP port of /ready, 0 for any free port (env MESHCTL_MONITORING_PORT).")
  private int monitoringPort;

  @Option(
      names = "--debounce-after",
      paramLabel = "DURATION",
      defaultValue = "100ms",
      converter = GoDurationConverter.class,
      description = "Quiet period before a push, like 100ms (env PILOT_DEBOUNCE_AFTER).")
  private Duration debounceAfter;

  @Option(
      names = "--debounce-max",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = GoDurationConverter.class,
      description = "Longest a change waits for its push, like 10s (env PILOT_DEBOUNCE_MAX).")
  private Duration debounceMax;

  @Option(
      names = "--kube",
      description =
          "Watch Services, EndpointSlices, Pods, Namespaces, Nodes, Secrets, Istio config and the"
              + " mesh config ConfigMap of the Kubernetes cluster of the default"
              + " kubeconfig ($KUBECONFIG, ~/.kube/config) or, inside a pod, of the in-cluster"
              + " service account. Combines with --config-dir.")
  private boolean kube;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Watch the cluster of this kubeconfig file (implies --kube). Env KUBECONFIG gives the"
              + " file --kube uses, but does not turn Kubernetes on by itself.")
  private Path kubeconfig;

  @Option(
      names = "--watch-namespaces",
      paramLabel = "NS",
      split = ",",
      description = "Only watch these namespaces (comma-separated); default: all namespaces.")
  private List<String> watchNamespaces = List.of();

  @Option(
      names = "--mesh-config",
      paramLabel = "FILE",
      description =
          "Istio MeshConfig YAML to read and watch (a change pushes everything). With --kube the"
              + " ConfigMap istio (key mesh) in --namespace is watched too; this file wins over it.")
  private Path meshConfig;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      defaultValue = "",
      description =
          "This control plane's revision (env REVISION): Istio config labelled istio.io/rev with"
              + " another revision is ignored. Default: none, all config is used.")
  private String revision;

  @Option(
      names = "--scope-gateway-to-namespace",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "false",
      description =
          "A Gateway selects only gateway workloads in its own namespace (env"
              + " PILOT_SCOPE_GATEWAY_TO_NAMESPACE). Default: false, any namespace, as Istio.")
  private boolean scopeGatewayToNamespace;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "Directory of the CA's key material (env MESHCTL_CA_DIR): a self-signed root is"
              + " generated there on first start and never overwritten; put Istio's cacerts files"
              + " there to plug in a CA. Default: .meshctl/ca under the working directory, or with"
              + " --kube the Secrets cacerts / istio-ca-secret in --namespace.")
  private Path caDir;

  @Option(
      names = "--trust-domain",
      paramLabel = "DOMAIN",
      defaultValue = CaOptions.DEFAULT_TRUST_DOMAIN,
      description = "SPIFFE trust domain of the identities the CA issues.")
  private String trustDomain;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      defaultValue = SecuritySettings.DEFAULT_NAMESPACE,
      description =
          "The control plane's namespace (env POD_NAMESPACE): where the CA Secrets and the mesh"
              + " config ConfigMap istio live, and the"
              + " serving certificate's DNS names istiod.<NS>.svc[.cluster.local].")
  private String namespace;

  @Option(
      names = "--secure-xds-port",
      paramLabel = "PORT",
      defaultValue = "15012",
      description =
          "TLS gRPC port serving ADS and Istio's CA API (CreateCertificate) to authenticated"
              + " callers, 0 for any free port.")
  private int secureXdsPort;

  @Option(
      names = "--webhook-port",
      paramLabel = "PORT",
      defaultValue = "15017",
      description =
          "HTTPS port of the admission webhooks (/inject, /validate), 0 for any free port.")
  private int webhookPort;

  @Option(
      names = "--injector-values",
      paramLabel = "FILE",
      description =
          "istio-sidecar-injector ConfigMap manifest (data.values, data.config) for the"
              + " injection webhook; default: Istio's chart defaults.")
  private Path injectorValues;

  @Option(
      names = "--insecure-ca-tokens",
      paramLabel = "FILE",
      description =
          "DEV ONLY, without --kube: accept the bearer tokens listed in FILE (lines 'token"
              + " namespace serviceaccount') as those service accounts. No expiry, no signature.")
  private Path insecureCaTokens;

  @Option(
      names = "--leader-election-lease-duration",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = GoDurationConverter.class,
      description =
          "With --kube: how long the leader's Lease (istio-leader in --namespace) holds without"
              + " renewal before another replica may take over.")
  private Duration leaseDuration;

  @Option(
      names = "--leader-election-renew-deadline",
      paramLabel = "DURATION",
      defaultValue = "15s",
      converter = GoDurationConverter.class,
      description = "How long the leader keeps trying to renew its Lease before giving up.")
  private Duration renewDeadline;

  @Option(
      names = "--leader-election-retry-period",
      paramLabel = "DURATION",
      defaultValue = "7500ms",
      converter = GoDurationConverter.class,
      description = "The wait between leader election attempts.")
  private Duration retryPeriod;

  @Option(
      names = "--push-throttle",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Proxies pushed to at once (push workers); 0: one per core, at least two (env"
              + " PILOT_PUSH_THROTTLE).")
  private int pushThrottle;

  @Option(
      names = "--max-requests-per-second",
      paramLabel = "RATE",
      defaultValue = "25",
      description =
          "New xDS streams served their first response per second; excess streams wait, they are"
              + " not refused (env PILOT_MAX_REQUESTS_PER_SECOND).")
  private double maxRequestsPerSecond;

  @Option(
      names = "--max-requests-burst",
      paramLabel = "N",
      defaultValue = "25",
      description =
          "New xDS streams that may start at once before --max-requests-per-second paces them"
              + " (env MESHCTL_MAX_REQUESTS_BURST).")
  private int maxRequestsBurst;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      description = "Root log level: ${COMPLETION-CANDIDATES} (env MESHCTL_LOG_LEVEL).")
  private LogLevel logLevel;

  private final Server server;
  private final PrintWriter out;
  private final PrintWriter err;

  ServeCommand(Server server, PrintWriter out, PrintWriter err) {
    this.server = server;
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    checkPort("--xds-port", xdsPort);
    checkPort("--monitoring-port", monitoringPort);
    checkPort("--secure-xds-port", secureXdsPort);
    checkPort("--webhook-port", webhookPort);
    if (debounceAfter.compareTo(debounceMax) > 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--debounce-after ("
              + debounceAfter
              + ") must not be longer than --debounce-max ("
              + debounceMax
              + ")");
    }
    // Only an explicit --kubeconfig turns Kubernetes on: a KUBECONFIG in the environment must not
    // silently connect a file-based run to a cluster.
    boolean explicitKubeconfig =
        spec.commandLine().getParseResult().hasMatchedOption("--kubeconfig");
    boolean useKube = kube || explicitKubeconfig;
    // A KUBECONFIG list (a:b) is left to fabric8's auto-configuration, which merges lists.
    Optional<Path> kubeconfigFile =
        Optional.ofNullable(kubeconfig)
            .filter(p -> explicitKubeconfig || !p.toString().contains(File.pathSeparator));
    if (!useKube && !watchNamespaces.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--watch-namespaces needs --kube or --kubeconfig");
    }
    Optional<KubernetesSource.Settings> kubeSettings =
        useKube
            ? Optional.of(
                new KubernetesSource.Settings(
                    kubeconfigFile,
                    watchNamespaces,
                    KubernetesSource.Settings.DEFAULT.syncTimeout(),
                    KubernetesSource.Settings.DEFAULT.resync(),
                    namespace))
            : Optional.empty();
    if (useKube && insecureCaTokens != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--insecure-ca-tokens is for runs without a cluster; with --kube tokens are checked by"
              + " TokenReview");
    }
    // Without a cluster the CA lives in a directory; with one, in Secrets unless a directory is
    // given (like Istio's mounted cacerts).
    Optional<Path> ca =
        Optional.ofNullable(caDir)
            .or(() -> useKube ? Optional.empty() : Optional.of(SecuritySettings.DEFAULT_CA_DIR));
    SecuritySettings security =
        new SecuritySettings(
            ca,
            trustDomain,
            namespace,
            secureXdsPort,
            webhookPort,
            Optional.ofNullable(injectorValues),
            Optional.ofNullable(insecureCaTokens));
    ElectionSettings election =
        new ElectionSettings(
            ElectionSettings.DEFAULT.leaseName(), leaseDuration, renewDeadline, retryPeriod);
    try {
      election.forReplica(namespace, "check");
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ControlPlane.Settings settings =
        new ControlPlane.Settings(
            Optional.ofNullable(configDir),
            xdsPort,
            monitoringPort,
            new PushLoop.Settings(debounceAfter, debounceMax),
            kubeSettings,
            Optional.of(security),
            election,
            Optional.ofNullable(meshConfig),
            revision,
            new PilotFeatures(scopeGatewayToNamespace));
    if (pushThrottle < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--push-throttle must be 0 or more, got " + pushThrottle);
    }
    if (!(maxRequestsPerSecond > 0) || Double.isInfinite(maxRequestsPerSecond)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--max-requests-per-second must be a positive number, got " + maxRequestsPerSecond);
    }
    if (maxRequestsBurst < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-requests-burst must be 1 or more, got " + maxRequestsBurst);
    }
    AdsXdsFrontend.Settings xds =
        new AdsXdsFrontend.Settings(pushThrottle, maxRequestsPerSecond, maxRequestsBurst);
    return server.serve(settings, xds, logLevel, out, err);
  }

  private void checkPort(String flag, int port) {
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), flag + " must be between 0 and 65535, got " + port);
    }
  }

  /** The real server: starts the control plane and blocks until the JVM is asked to stop. */
  static int serveUntilShutdown(
      ControlPlane.Settings settings,
      AdsXdsFrontend.Settings xds,
      LogLevel logLevel,
      PrintWriter out,
      PrintWriter err) {
    logLevel.applyToRoot();
    ControlPlane cp;
    try {
      cp =
          ControlPlane.start(
              settings, AdsXdsFrontend.factory(Clock.systemUTC(), xds), Clock.systemUTC());
    } catch (IOException | CaKeyMaterialException | IllegalArgumentException e) {
      err.println("meshctl serve: cannot start: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("event=shutdown_started");
                  cp.close();
                  log.info("event=shutdown_complete");
                  stopped.countDown();
                },
                "meshctl-shutdown"));
    out.println(cp.startupLine());
    out.flush();
    boolean interrupted = false;
    while (stopped.getCount() > 0) {
      try {
        stopped.await();
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting: only the shutdown hook ends serving
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }
}
