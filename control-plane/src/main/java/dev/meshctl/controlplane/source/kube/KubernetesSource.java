package dev.meshctl.controlplane.source.kube;

import dev.meshctl.controlplane.status.ConfigStatus;
import dev.meshctl.controlplane.status.ObjectRef;
import dev.meshctl.controlplane.status.StatusReporter;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link ConfigStore} (source name {@value #SOURCE_NAME}) from a Kubernetes API server
 * with fabric8 shared informers (see {@link Watch#plan}): {@code Service}, {@code EndpointSlice},
 * {@code Pod}, {@code Secret} and every Istio CRD kind, in all namespaces or in each of a list;
 * {@code Namespace} and {@code Node} cluster-wide; the {@code istio} ConfigMap (mesh config) in the
 * control plane's namespace. Each object is decoded by {@link KubeObjects} (the file source's
 * decoder); see there for which Pods count. Discovery selectors and revisions are applied later,
 * over the whole store ({@code store.DiscoveryFilter}), so a namespace label change re-scopes
 * without re-listing.
 *
 * <ul>
 *   <li><b>Invalid objects</b> never reach the store. Each problem is kept in {@link
 *       #diagnostics()} as {@code Kind ns/name: field: message} and logged at WARN once (again only
 *       when it changes). Like a broken file, an object updated into an invalid state keeps its
 *       last good version in the store; deleting it removes both.
 *   <li><b>Resyncs and re-lists</b> (after a 410 Gone or an API server restart, fabric8 lists again
 *       and replays the difference) re-apply objects; the store drops equal re-applies, so nothing
 *       unchanged is pushed. After the initial sync the whole cache is applied at once with {@link
 *       ConfigStore#apply}, so objects left in the store by an earlier run of this source that no
 *       longer exist are removed.
 *   <li><b>Config status</b>: every Istio config object's outcome (its errors when invalid, its
 *       warnings or nothing when used) goes to the {@link StatusReporter} with its {@code
 *       metadata.generation}, and a deletion is forgotten there, so the leader can write (and
 *       clear) the object's {@code status}.
 *   <li><b>A missing Istio CRD</b> is not an error: one line is logged, startup goes on, and the
 *       informer keeps listing with fabric8's backoff, so objects appear once the CRD is installed.
 * </ul>
 *
 * <p>Threads: {@link #start()} and {@link #close()} are for the owner. Informer callbacks run on
 * fabric8's threads (one serial executor per informer); every store update happens under one lock,
 * so an informer event and the post-sync reconcile cannot interleave. {@link #diagnostics()} and
 * {@link #eventsHandled()} may be called from any thread.
 */
public final class KubernetesSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubernetesSource.class);

  /** The store source name of everything this source applies. */
  public static final String SOURCE_NAME = "kubernetes";

  /**
   * What to watch and how.
   *
   * @param kubeconfig the kubeconfig file; empty: fabric8's auto-configuration ({@code KUBECONFIG},
   *     {@code ~/.kube/config}, then the in-cluster service account)
   * @param watchNamespaces the namespaces to watch; empty: all
   * @param syncTimeout how long {@link #start()} waits for every informer's initial list
   * @param resync the informers' resync period; zero: none (Istio's default)
   * @param controlPlaneNamespace where the mesh config ConfigMap {@code istio} is read
   */
  public record Settings(
      Optional<Path> kubeconfig,
      List<String> watchNamespaces,
      Duration syncTimeout,
      Duration resync,
      String controlPlaneNamespace) {
    /** The control plane namespace when none is given. */
    public static final String DEFAULT_NAMESPACE = "istio-system";

    /** Auto-configured cluster, all namespaces, 30 s to sync, no resync, {@code istio-system}. */
    public static final Settings DEFAULT =
        new Settings(Optional.empty(), List.of(), Duration.ofSeconds(30), Duration.ZERO);

    public Settings {
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      watchNamespaces = List.copyOf(watchNamespaces);
      Objects.requireNonNull(controlPlaneNamespace, "controlPlaneNamespace");
      if (syncTimeout.isNegative() || syncTimeout.isZero() || resync.isNegative()) {
        throw new IllegalArgumentException("syncTimeout must be positive, resync not negative");
      }
    }

    /** In the default control plane namespace. */
    public Settings(
        Optional<Path> kubeconfig,
        List<String> watchNamespaces,
        Duration syncTimeout,
        Duration resync) {
      this(kubeconfig, watchNamespaces, syncTimeout, resync, DEFAULT_NAMESPACE);
    }

    /** The same, reading the mesh config in {@code namespace}. */
    public Settings withControlPlaneNamespace(String namespace) {
      return new Settings(kubeconfig, watchNamespaces, syncTimeout, resync, namespace);
    }
  }

  /** Makes the API client for a {@link Settings}; replaced in tests by a mock server's client. */
  @FunctionalInterface
  public interface ClientFactory {
    KubernetesClient connect(Settings settings) throws IOException;
  }

  /** The real client: the kubeconfig file if given, else fabric8's auto-configuration. */
  public static KubernetesClient connect(Settings settings) throws IOException {
    Config config;
    if (settings.kubeconfig().isPresent()) {
      Path file = settings.kubeconfig().get();
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString(), null, "kubeconfig does not exist");
      }
      try {
        config = Config.fromKubeconfig(file.toFile());
      } catch (KubernetesClientException e) {
        throw new IOException("cannot use kubeconfig " + file + ": " + e.getMessage(), e);
      }
    } else {
      config = Config.autoConfigure(null);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private final KubernetesClient client;
  private final ConfigStore store;
  private final Settings settings;
  private final StatusReporter status;
  private final List<Watch> watches = new ArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock: what this source put in the store, and each invalid object's problems.
  // Both keyed by KubeObjects.ref ("Kind ns/name"), since a Secret (say) has no ConfigKey.
  private final Map<String, ConfigObject> applied = new TreeMap<>();
  private final Map<String, List<String>> problems = new TreeMap<>();
  private final Map<String, List<String>> warnings = new TreeMap<>();
  // CRD kinds found missing ("Kind group/version"), each logged once.
  private final Set<String> missingCrds = ConcurrentHashMap.newKeySet();
  private long events;
  private volatile List<String> diagnostics = List.of();

  /**
   * @param client the API client; not closed by this source
   * @param store where objects go, under {@value #SOURCE_NAME}
   */
  public KubernetesSource(KubernetesClient client, ConfigStore store, Settings settings) {
    this(client, store, settings, StatusReporter.NONE);
  }

  /**
   * @param client the API client; not closed by this source
   * @param store where objects go, under {@value #SOURCE_NAME}
   * @param status told every Istio config object's validation outcome (each add and update,
   *     including resyncs: the reporter drops repeats) and each deletion
   */
  public KubernetesSource(
      KubernetesClient client, ConfigStore store, Settings settings, StatusReporter status) {
    this.client = Objects.requireNonNull(client, "client");
    this.store = Objects.requireNonNull(store, "store");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.status = Objects.requireNonNull(status, "status");
  }

  /** The API server URL, for logs and the startup line. */
  public String serverUrl() {
    return String.valueOf(client.getMasterUrl());
  }

  /** The watched namespaces, or "all". */
  public String scope() {
    return settings.watchNamespaces().isEmpty()
        ? "all namespaces"
        : "namespaces " + String.join(",", settings.watchNamespaces());
  }

  /**
   * Starts every informer and returns once all have listed and the result is in the store.
   *
   * @throws KubernetesSourceException naming the server and the resource that did not sync within
   *     the timeout or whose list failed; every informer is stopped again
   */
  public void start() throws KubernetesSourceException {
    List<CompletableFuture<?>> started = new ArrayList<>();
    synchronized (watches) {
      if (!watches.isEmpty()) {
        throw new IllegalStateException("already started");
      }
      watches.addAll(
          Watch.plan(
              client,
              settings.watchNamespaces(),
              settings.controlPlaneNamespace(),
              settings.resync().toMillis()));
      for (Watch w : watches) {
        CompletableFuture<Void> missing = new CompletableFuture<>();
        handle(w, w.informer(), missing);
        CompletableFuture<Void> synced = w.informer().start().toCompletableFuture();
        // A missing CRD settles its watch too: startup must not wait for it.
        started.add(w.crd() ? CompletableFuture.anyOf(synced, missing) : synced);
      }
    }
    long deadline = System.nanoTime() + settings.syncTimeout().toNanos();
    for (int i = 0; i < started.size(); i++) {
      Watch w = watches.get(i);
      try {
        started.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw fail(w, "did not complete within " + settings.syncTimeout().toMillis() + " ms", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw fail(w, "failed: " + cause.getMessage(), cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail(w, "was interrupted", e);
      }
    }
    int objects = reconcile();
    log.info(
        "event=kubernetes_synced server={} scope=\"{}\" informers={} objects={} problems={}"
            + " missing_crds={}",
        serverUrl(),
        scope(),
        watches.size(),
        objects,
        diagnostics.size(),
        missingCrds.size());
  }

  /** The Istio CRD kinds found not installed so far, {@code Kind group/version}, sorted. */
  public List<String> missingCrds() {
    return missingCrds.stream().sorted().toList();
  }

  private KubernetesSourceException fail(Watch w, String what, Throwable cause) {
    close();
    return new KubernetesSourceException(
        "Kubernetes API server " + serverUrl() + ": listing " + w.describe() + " " + what, cause);
  }

  private <T extends HasMetadata> void handle(
      Watch w, SharedIndexInformer<T> informer, CompletableFuture<Void> missing) {
    if (w.crd()) {
      informer.exceptionHandler(
          (isStarted, t) -> {
            if (Watch.notFound(t)) {
              missing.complete(null);
              if (missingCrds.add(w.kubeKind() + " " + w.apiVersion())) {
                log.warn(
                    "event=crd_not_installed kind={} api_version={} action=\"serving without it;"
                        + " listing again with backoff until it is installed\"",
                    w.kubeKind(),
                    w.apiVersion());
              }
              return true;
            }
            // fabric8's default handler: retry once started, unless the watch itself failed.
            return isStarted && !(t instanceof WatcherException);
          });
    }
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            update(w, obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            update(w, newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            delete(w, obj);
          }
        });
  }

  private void update(Watch w, HasMetadata obj) {
    String ref = KubeObjects.ref(w.kubeKind(), obj);
    KubeObjects.Result result =
        KubeObjects.convert(w.kubeKind(), w.apiVersion(), obj, client.getKubernetesSerialization());
    synchronized (lock) {
      events++;
      // Under the lock, so the reporter sees an object's outcomes in the order they were decoded.
      istioRef(w, obj)
          .ifPresent(
              r ->
                  status.report(
                      new ConfigStatus(r, generation(obj), KubeObjects.findings(ref, result))));
      if (result instanceof KubeObjects.Result.Present p) {
        clearProblems(ref);
        reportWarnings(ref, p.warnings());
        ConfigObject before = applied.put(ref, p.object());
        if (before != null && !before.key().equals(p.object().key())) {
          store.delete(SOURCE_NAME, before.key());
        }
        store.upsert(SOURCE_NAME, p.object());
      } else if (result instanceof KubeObjects.Result.Absent a) {
        clearProblems(ref);
        warnings.remove(ref);
        ConfigObject before = applied.remove(ref);
        if (before != null) {
          log.debug("event=kubernetes_object_dropped object=\"{}\" reason=\"{}\"", ref, a.reason());
          store.delete(SOURCE_NAME, before.key());
        }
      } else if (result instanceof KubeObjects.Result.Invalid bad) {
        // The last good version (if any) stays in the store, as for a broken file.
        reportProblems(ref, bad.messages());
      }
    }
  }

  private void delete(Watch w, HasMetadata obj) {
    String ref = KubeObjects.ref(w.kubeKind(), obj);
    synchronized (lock) {
      events++;
      istioRef(w, obj).ifPresent(status::forget);
      clearProblems(ref);
      warnings.remove(ref);
      ConfigObject before = applied.remove(ref);
      if (before != null) {
        store.delete(SOURCE_NAME, before.key());
      }
    }
  }

  /** The status address of an Istio config object; empty for every other kind. */
  private static Optional<ObjectRef> istioRef(Watch w, HasMetadata obj) {
    if (!w.crd()) {
      return Optional.empty();
    }
    for (IstioKind kind : IstioKind.values()) {
      if (kind.kind().equals(w.kubeKind())) {
        String ns = obj.getMetadata().getNamespace();
        return Optional.of(ObjectRef.of(kind, ns == null ? "" : ns, obj.getMetadata().getName()));
      }
    }
    return Optional.empty();
  }

  /** {@code metadata.generation}, 0 when the server did not set it. */
  private static long generation(HasMetadata obj) {
    Long g = obj.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  /** Applies every informer's cache at once: stale keys of an earlier run go. Returns the count. */
  private int reconcile() {
    synchronized (lock) {
      Map<String, ConfigObject> now = new TreeMap<>();
      for (Watch w : watches) {
        for (HasMetadata obj : w.informer().getStore().list()) {
          String ref = KubeObjects.ref(w.kubeKind(), obj);
          KubeObjects.Result r =
              KubeObjects.convert(
                  w.kubeKind(), w.apiVersion(), obj, client.getKubernetesSerialization());
          if (r instanceof KubeObjects.Result.Present p) {
            now.put(ref, p.object());
          } else if (r instanceof KubeObjects.Result.Invalid && applied.containsKey(ref)) {
            now.put(ref, applied.get(ref));
          }
        }
      }
      Map<ConfigKey, ConfigObject> desired = new TreeMap<>();
      now.values().forEach(o -> desired.put(o.key(), o));
      applied.clear();
      applied.putAll(now);
      store.apply(SOURCE_NAME, desired);
      return desired.size();
    }
  }

  // Caller holds lock.
  private void reportWarnings(String ref, List<String> messages) {
    List<String> before = messages.isEmpty() ? warnings.remove(ref) : warnings.put(ref, messages);
    if (!messages.isEmpty() && !messages.equals(before)) {
      messages.forEach(
          m -> log.warn("event=config_warning source={} warning=\"{}\"", SOURCE_NAME, escape(m)));
    }
  }

  // Caller holds lock.
  private void reportProblems(String ref, List<String> messages) {
    List<String> before = problems.put(ref, messages);
    if (!messages.equals(before)) {
      messages.forEach(
          m -> log.warn("event=config_problem source={} problem=\"{}\"", SOURCE_NAME, escape(m)));
      publishDiagnostics();
    }
  }

  // Caller holds lock.
  private void clearProblems(String ref) {
    if (problems.remove(ref) != null) {
      log.info("event=config_problem_resolved source={} object=\"{}\"", SOURCE_NAME, ref);
      publishDiagnostics();
    }
  }

  private void publishDiagnostics() {
    List<String> all = new ArrayList<>();
    problems.values().forEach(all::addAll);
    diagnostics = List.copyOf(all);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Every invalid object's problems, {@code Kind ns/name: field: message}, sorted by object. */
  public List<String> diagnostics() {
    return diagnostics;
  }

  /** Informer events handled so far (adds, updates including resyncs, deletes). */
  public long eventsHandled() {
    synchronized (lock) {
      return events;
    }
  }

  /** Stops every informer; what was applied stays in the store. Idempotent. */
  @Override
  public void close() {
    synchronized (watches) {
      for (Watch w : watches) {
        try {
          w.informer().stop();
        } catch (RuntimeException e) {
          log.warn("event=informer_stop_failed resource=\"{}\"", w.describe(), e);
        }
      }
      watches.clear();
    }
  }
}
