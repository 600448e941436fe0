package dev.meshctl.controlplane;

import dev.meshctl.controlplane.debug.DebugEndpoints;
import dev.meshctl.controlplane.debug.PushStatusRecorder;
import dev.meshctl.controlplane.leader.ElectionSettings;
import dev.meshctl.controlplane.leader.LeaderTasks;
import dev.meshctl.controlplane.leader.Leadership;
import dev.meshctl.controlplane.metrics.MetricsRegistry;
import dev.meshctl.controlplane.metrics.ProcessMetrics;
import dev.meshctl.controlplane.metrics.PushMetrics;
import dev.meshctl.controlplane.metrics.XdsMetrics;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.security.SecureServing;
import dev.meshctl.controlplane.security.SecuritySettings;
import dev.meshctl.controlplane.source.FileSource;
import dev.meshctl.controlplane.source.MeshConfigFileSource;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.status.StatusReporter;
import dev.meshctl.controlplane.status.StatusWriter;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.controlplane.store.DiscoveryFilter;
import dev.meshctl.controlplane.webhook.WebhookServing;
import dev.meshctl.xds.model.PilotFeatures;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running control plane: the config store, the file source (or the embedded sample), the
 * debounced push loop, the xDS frontend and the monitoring HTTP server, wired together and owning
 * their threads. No static state: several instances (on ephemeral ports) can run in one JVM.
 *
 * <p>Threads it owns: one file-watcher thread, the Kubernetes client's informer threads, one push
 * thread (a single-thread scheduler, so pushes never overlap), one monitoring HTTP thread. {@link
 * #start} and {@link #close} are for the owner; the getters may be called from any thread.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * What to start. The sources: the config directory, the Kubernetes API, or both (two sources in
   * one store); with neither, the embedded Bookinfo sample.
   *
   * @param configDir the watched config directory
   * @param xdsPort the xDS port, 0 for an ephemeral one
   * @param monitoringPort the monitoring HTTP port, 0 for an ephemeral one
   * @param debounce push debounce windows
   * @param kubernetes the cluster to watch, if any
   * @param security the CA, secure xDS port and injection webhook; empty runs none of them
   * @param election the leader election Lease and timing (used with Kubernetes only)
   * @param meshConfigFile a watched MeshConfig YAML file; it wins over the {@code istio} ConfigMap
   * @param revision the control plane's revision ({@code istio.io/rev}); {@code ""}: none, every
   *     Istio config object is used
   * @param features settings that change generated config ({@code PILOT_*} environment in Istio)
   */
  public record Settings(
      Optional<Path> configDir,
      int xdsPort,
      int monitoringPort,
      PushLoop.Settings debounce,
      Optional<KubernetesSource.Settings> kubernetes,
      Optional<SecuritySettings> security,
      ElectionSettings election,
      Optional<Path> meshConfigFile,
      String revision,
      PilotFeatures features) {
    public Settings {
      Objects.requireNonNull(features, "features");
      Objects.requireNonNull(configDir, "configDir");
      Objects.requireNonNull(debounce, "debounce");
      Objects.requireNonNull(kubernetes, "kubernetes");
      Objects.requireNonNull(security, "security");
      Objects.requireNonNull(election, "election");
      Objects.requireNonNull(meshConfigFile, "meshConfigFile");
      Objects.requireNonNull(revision, "revision");
    }

    /** With Istio's feature defaults. */
    public Settings(
        Optional<Path> configDir,
        int xdsPort,
        int monitoringPort,
        PushLoop.Settings debounce,
        Optional<KubernetesSource.Settings> kubernetes,
        Optional<SecuritySettings> security,
        ElectionSettings election,
        Optional<Path> meshConfigFile,
        String revision) {
      this(
          configDir,
          xdsPort,
          monitoringPort,
          debounce,
          kubernetes,
          security,
          election,
          meshConfigFile,
          revision,
          PilotFeatures.DEFAULT);
    }

    /** With Istio's leader election defaults, without a mesh config file and revision. */
    public Settings(
        Optional<Path> configDir,
        int xdsPort,
        int monitoringPort,
        PushLoop.Settings debounce,
        Optional<KubernetesSource.Settings> kubernetes,
        Optional<SecuritySettings> security) {
      this(
          configDir,
          xdsPort,
          monitoringPort,
          debounce,
          kubernetes,
          security,
          ElectionSettings.DEFAULT,
          Optional.empty(),
          "");
    }

    /** Without the secure side (no CA, secure xDS port or webhook). */
    public Settings(
        Optional<Path> configDir,
        int xdsPort,
        int monitoringPort,
        PushLoop.Settings debounce,
        Optional<KubernetesSource.Settings> kubernetes) {
      this(configDir, xdsPort, monitoringPort, debounce, kubernetes, Optional.empty());
    }

    /** Files (or the embedded sample) only, no Kubernetes. */
    public Settings(
        Optional<Path> configDir, int xdsPort, int monitoringPort, PushLoop.Settings debounce) {
      this(configDir, xdsPort, monitoringPort, debounce, Optional.empty());
    }
  }

  private final Settings settings;
  private final ConfigStore store = new ConfigStore();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final PushMetrics pushMetrics = new PushMetrics(metrics);

  {
    ProcessMetrics.register(metrics);
  }

  private final List<AutoCloseable> closeables = new ArrayList<>(); // closed in reverse
  private volatile FileSource fileSource;
  private volatile MeshConfigFileSource meshConfigSource;
  private volatile KubernetesSource kubeSource;
  private volatile PushLoop pushLoop;
  private volatile XdsFrontend xds;
  private volatile MonitoringServer monitoring;
  private volatile KubernetesClient kubeClient;
  private volatile SecureServing secure;
  private volatile WebhookServing webhook;
  private final LeaderTasks leaderTasks = new LeaderTasks();
  private volatile Leadership leadership;
  private volatile StatusReporter statusReporter = StatusReporter.NONE;
  private volatile StatusWriter statusWriter;

  private ControlPlane(Settings settings) {
    this.settings = settings;
  }

  /**
   * Starts everything; returns once the config is loaded and the ports are bound (the first push
   * follows on the push thread; {@link #ready()} says when it is done). On failure, whatever was
   * started is closed again.
   */
  public static ControlPlane start(Settings settings, XdsFrontend.Factory xdsFactory, Clock clock)
      throws IOException {
    return start(settings, xdsFactory, clock, KubernetesSource::connect);
  }

  /**
   * As {@link #start(Settings, XdsFrontend.Factory, Clock)}, with the Kubernetes client's maker.
   */
  public static ControlPlane start(
      Settings settings,
      XdsFrontend.Factory xdsFactory,
      Clock clock,
      KubernetesSource.ClientFactory kubeClients)
      throws IOException {
    ControlPlane cp = new ControlPlane(settings);
    try {
      cp.startAll(xdsFactory, clock, kubeClients);
      return cp;
    } catch (IOException | RuntimeException e) {
      cp.close();
      throw e;
    }
  }

  private void startAll(
      XdsFrontend.Factory xdsFactory, Clock clock, KubernetesSource.ClientFactory kubeClients)
      throws IOException {
    xds = xdsFactory.start(settings.xdsPort(), new XdsMetrics(metrics));
    closeables.add(xds);

    ScheduledExecutorService pushThread =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("meshctl-push"));
    closeables.add(() -> shutdown(pushThread));
    PushStatusRecorder pushStatus = new PushStatusRecorder(clock, () -> xds.connections().size());
    pushLoop =
        new PushLoop(
            // Discovery selectors and the revision cut the store down to what the mesh sees.
            () -> DiscoveryFilter.visible(store.snapshotObjects(), settings.revision()),
            pushStatus.recording(xds),
            pushThread,
            clock,
            settings.debounce(),
            pushStatus.observing(pushMetrics),
            settings.features());
    closeables.add(pushLoop);
    store.listen(
        change -> {
          // A change only in namespaces discovery selectors exclude cannot alter any proxy's view.
          if (DiscoveryFilter.outOfScope(change.keys(), store::get)) {
            log.debug("event=change_ignored reason=discovery_selectors keys={}", change.keys());
            return;
          }
          pushLoop.onChange(change);
        });
    store.observe(pushMetrics);

    ExecutorService httpThread = Executors.newSingleThreadExecutor(daemonThreads("meshctl-http"));
    closeables.add(() -> shutdown(httpThread));
    monitoring =
        MonitoringServer.start(
            settings.monitoringPort(), this::ready, this::diagnostics, metrics::render, httpThread);
    closeables.add(monitoring);
    DebugEndpoints.register(
        monitoring::handle,
        new DebugEndpoints.Sources(
            xds::connections,
            xds::configDump,
            store::snapshotObjects,
            pushStatus,
            DebugEndpoints.istiodName(System.getenv())));

    if (settings.meshConfigFile().isPresent()) {
      meshConfigSource =
          new MeshConfigFileSource(
              settings.meshConfigFile().get(), store, daemonThreads("meshctl-mesh-config-watcher"));
      closeables.add(meshConfigSource);
      meshConfigSource.start();
    }
    if (settings.configDir().isPresent()) {
      fileSource =
          new FileSource(
              settings.configDir().get(),
              store,
              daemonThreads("meshctl-file-watcher"),
              Duration.ofMillis(20));
      closeables.add(fileSource);
      fileSource.start();
    }
    if (settings.kubernetes().isPresent()) {
      KubernetesClient client = kubeClients.connect(settings.kubernetes().get());
      closeables.add(client);
      kubeClient = client;
      // Made before the source starts, so the initial list's outcomes are collected too.
      statusWriter = SingletonWork.statusWriter(client, clock, closeables::add);
      kubeSource = new KubernetesSource(client, store, settings.kubernetes().get(), statusWriter);
      closeables.add(kubeSource);
      kubeSource.start();
    }
    if (settings.configDir().isEmpty() && settings.kubernetes().isEmpty()) {
      store.apply(EmbeddedSample.NAME, EmbeddedSample.objects());
    }
    if (settings.security().isPresent()) {
      startSecurity(settings.security().get(), clock);
    }
    startLeaderTasks(clock);
    // The first load is in the store: push it now, without debounce.
    pushLoop.start();
  }

  /**
   * The singleton work runs only on the replica holding the Lease ({@link SingletonWork}); every
   * replica keeps serving xDS.
   */
  private void startLeaderTasks(Clock clock) {
    String namespace =
        settings
            .security()
            .map(SecuritySettings::namespace)
            .orElse(SecuritySettings.DEFAULT_NAMESPACE);
    SingletonWork work =
        SingletonWork.start(
            Optional.ofNullable(kubeClient),
            Optional.ofNullable(statusWriter),
            Optional.ofNullable(secure),
            namespace,
            settings.revision(),
            DebugEndpoints.istiodName(System.getenv()),
            settings.election(),
            leaderTasks,
            clock,
            metrics,
            closeables::add);
    leadership = work.leadership();
    statusReporter = work.status();
  }

  private void startSecurity(SecuritySettings sec, Clock clock) throws IOException {
    Optional<KubernetesClient> kube = Optional.ofNullable(kubeClient);
    secure = SecureServing.start(sec, kube, xds.adsServer(), clock);
    closeables.add(secure);
    webhook =
        WebhookServing.start(
            sec.webhookPort(),
            secure.servingCertificate(),
            sec.injectorValues(),
            sec.namespace(),
            sec.trustDomain(),
            kube);
    closeables.add(webhook);
  }

  /** True once the first push has been delivered to the xDS frontend. */
  public boolean ready() {
    PushLoop loop = pushLoop;
    return loop != null && loop.pushes() > 0;
  }

  /** Pushes completed so far (the first one makes the control plane ready). */
  public long pushes() {
    PushLoop loop = pushLoop;
    return loop == null ? 0 : loop.pushes();
  }

  /**
   * The current config problems: the mesh config file's, the config files', then Kubernetes' (empty
   * for the embedded sample).
   */
  public List<String> diagnostics() {
    FileSource fs = fileSource;
    KubernetesSource ks = kubeSource;
    MeshConfigFileSource ms = meshConfigSource;
    List<String> out = new ArrayList<>(ms == null ? List.of() : ms.diagnostics());
    out.addAll(fs == null ? List.of() : fs.diagnostics());
    if (ks != null) {
      out.addAll(ks.diagnostics());
    }
    return List.copyOf(out);
  }

  /**
   * Where the Istio config sources report each object's validation outcome; the leader writes it
   * into the object's status. {@link StatusReporter#NONE} without a cluster. Any thread.
   */
  public StatusReporter configStatus() {
    return statusReporter;
  }

  /** True while this replica does the singleton work (always, without a cluster). */
  public boolean leader() {
    Leadership l = leadership;
    return l != null && l.isLeader();
  }

  /** The actual xDS port. */
  public int xdsPort() {
    return xds.port();
  }

  /** The actual monitoring port. */
  public int monitoringPort() {
    return monitoring.port();
  }

  /** The secure side (CA, secure xDS), if started. */
  public Optional<SecureServing> secure() {
    return Optional.ofNullable(secure);
  }

  /** The actual webhook port, if the webhook was started. */
  public Optional<Integer> webhookPort() {
    WebhookServing w = webhook;
    return w == null ? Optional.empty() : Optional.of(w.port());
  }

  /** The metrics registry served on {@code /metrics}. */
  public MetricsRegistry metrics() {
    return metrics;
  }

  /** The store, for debug views and tests. */
  public ConfigStore store() {
    return store;
  }

  /** One line saying where the control plane listens and what it serves. */
  public String startupLine() {
    KubernetesSource ks = kubeSource;
    String config =
        fileSource != null
            ? fileSource.root() + " (watched)"
            : ks != null ? "" : EmbeddedSample.NAME + " (no --config-dir given)";
    if (ks != null) {
      config +=
          (config.isEmpty() ? "" : ", ") + "kubernetes " + ks.serverUrl() + " (" + ks.scope() + ")";
    }
    MeshConfigFileSource ms = meshConfigSource;
    if (ms != null) {
      config += ", mesh config " + ms.file() + " (watched)";
    }
    return "meshctl serving: xds port "
        + xdsPort()
        + ", monitoring port "
        + monitoringPort()
        + " (/ready, /metrics), "
        + securePorts()
        + "config "
        + config;
  }

  private String securePorts() {
    SecureServing s = secure;
    WebhookServing w = webhook;
    if (s == null || w == null) {
      return "";
    }
    return "secure xds/ca port "
        + s.port()
        + " (TLS, trust domain "
        + s.ca().options().trustDomain()
        + "), webhook port "
        + w.port()
        + " (HTTPS /inject, /validate), ";
  }

  /** Stops accepting, stops watching and pushing, and releases the threads. Idempotent. */
  @Override
  public synchronized void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        log.warn("event=close_failed component={}", closeables.get(i).getClass().getName(), e);
      }
    }
    closeables.clear();
  }

  private static void shutdown(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
      executor.shutdownNow();
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, n.getAndIncrement() == 0 ? name : name + "-" + n.get());
      t.setDaemon(true);
      return t;
    };
  }
}
