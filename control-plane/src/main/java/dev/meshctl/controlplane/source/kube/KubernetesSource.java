package dev.meshctl.controlplane.source.kube;

import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.ConfigObject;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link ConfigStore} (source name {@value #SOURCE_NAME}) from a Kubernetes API server
 * with fabric8 shared informers for {@code Service} (v1), {@code EndpointSlice} ({@code
 * discovery.k8s.io/v1}) and {@code Pod} (v1), in all namespaces or in each of a list. Each object
 * is decoded by {@link KubeObjects} (the file source's decoder); see there for which Pods count.
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
 *   <li><b>Namespaces</b> are not stored: the model has no Namespace record yet.
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
   */
  public record Settings(
      Optional<Path> kubeconfig,
      List<String> watchNamespaces,
      Duration syncTimeout,
      Duration resync) {
    /** Auto-configured cluster, all namespaces, 30 s to sync, no resync. */
    public static final Settings DEFAULT =
        new Settings(Optional.empty(), List.of(), Duration.ofSeconds(30), Duration.ZERO);

    public Settings {
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      watchNamespaces = List.copyOf(watchNamespaces);
      if (syncTimeout.isNegative() || syncTimeout.isZero() || resync.isNegative()) {
        throw new IllegalArgumentException("syncTimeout must be positive, resync not negative");
      }
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

  /** One watched (kind, namespace) pair. */
  private record Watch(
      ConfigKind kind, String namespace, SharedIndexInformer<? extends HasMetadata> informer) {
    String describe() {
      return kind.kubeKind()
          + (namespace == null ? " in all namespaces" : " in namespace " + namespace);
    }
  }

  private final KubernetesClient client;
  private final ConfigStore store;
  private final Settings settings;
  private final List<Watch> watches = new ArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock: what this source put in the store, and each invalid object's problems.
  private final Map<ConfigKey, ConfigObject> applied = new TreeMap<>();
  private final Map<ConfigKey, List<String>> problems = new TreeMap<>();
  private long events;
  private volatile List<String> diagnostics = List.of();

  /**
   * @param client the API client; not closed by this source
   * @param store where objects go, under {@value #SOURCE_NAME}
   */
  public KubernetesSource(KubernetesClient client, ConfigStore store, Settings settings) {
    this.client = Objects.requireNonNull(client, "client");
    this.store = Objects.requireNonNull(store, "store");
    this.settings = Objects.requireNonNull(settings, "settings");
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
    synchronized (watches) {
      if (!watches.isEmpty()) {
        throw new IllegalStateException("already started");
      }
      List<String> scopes = new ArrayList<>(settings.watchNamespaces());
      if (scopes.isEmpty()) {
        scopes.add(null);
      }
      for (String ns : scopes) {
        watch(ConfigKind.SERVICE, "v1", client.services(), ns);
        watch(
            ConfigKind.ENDPOINT_SLICE,
            "discovery.k8s.io/v1",
            client.discovery().v1().endpointSlices(),
            ns);
        watch(ConfigKind.POD, "v1", client.pods(), ns);
      }
    }
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (Watch w : watches) {
      started.add(w.informer().start().toCompletableFuture());
    }
    long deadline = System.nanoTime() + settings.syncTimeout().toNanos();
    for (int i = 0; i < watches.size(); i++) {
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
        "event=kubernetes_synced server={} scope=\"{}\" objects={} problems={}",
        serverUrl(),
        scope(),
        objects,
        diagnostics.size());
  }

  private KubernetesSourceException fail(Watch w, String what, Throwable cause) {
    close();
    return new KubernetesSourceException(
        "Kubernetes API server " + serverUrl() + ": listing " + w.describe() + " " + what, cause);
  }

  private <T extends HasMetadata> void watch(
      ConfigKind kind, String apiVersion, MixedOperation<T, ?, ?> op, String namespace) {
    Informable<T> scoped = namespace == null ? op.inAnyNamespace() : op.inNamespace(namespace);
    SharedIndexInformer<T> informer = scoped.runnableInformer(settings.resync().toMillis());
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            update(kind, apiVersion, obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            update(kind, apiVersion, newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            delete(KubeObjects.key(kind, obj));
          }
        });
    watches.add(new Watch(kind, namespace, informer));
  }

  private void update(ConfigKind kind, String apiVersion, HasMetadata obj) {
    ConfigKey key = KubeObjects.key(kind, obj);
    KubeObjects.Result result =
        KubeObjects.convert(kind, apiVersion, obj, client.getKubernetesSerialization());
    synchronized (lock) {
      events++;
      if (result instanceof KubeObjects.Result.Present p) {
        clearProblems(key);
        applied.put(key, p.object());
        store.upsert(SOURCE_NAME, p.object());
      } else if (result instanceof KubeObjects.Result.Absent a) {
        clearProblems(key);
        if (applied.remove(key) != null) {
          log.debug("event=kubernetes_object_dropped object=\"{}\" reason=\"{}\"", key, a.reason());
          store.delete(SOURCE_NAME, key);
        }
      } else if (result instanceof KubeObjects.Result.Invalid bad) {
        // The last good version (if any) stays in the store, as for a broken file.
        reportProblems(key, bad.messages());
      }
    }
  }

  private void delete(ConfigKey key) {
    synchronized (lock) {
      events++;
      clearProblems(key);
      applied.remove(key);
      store.delete(SOURCE_NAME, key);
    }
  }

  /** Applies every informer's cache at once: stale keys of an earlier run go. Returns the count. */
  private int reconcile() {
    synchronized (lock) {
      Map<ConfigKey, ConfigObject> desired = new TreeMap<>();
      for (Watch w : watches) {
        String apiVersion = w.kind() == ConfigKind.ENDPOINT_SLICE ? "discovery.k8s.io/v1" : "v1";
        for (HasMetadata obj : w.informer().getStore().list()) {
          ConfigKey key = KubeObjects.key(w.kind(), obj);
          KubeObjects.Result r =
              KubeObjects.convert(w.kind(), apiVersion, obj, client.getKubernetesSerialization());
          if (r instanceof KubeObjects.Result.Present p) {
            desired.put(key, p.object());
          } else if (r instanceof KubeObjects.Result.Invalid && applied.containsKey(key)) {
            desired.put(key, applied.get(key));
          }
        }
      }
      applied.clear();
      applied.putAll(desired);
      store.apply(SOURCE_NAME, desired);
      return desired.size();
    }
  }

  // Caller holds lock.
  private void reportProblems(ConfigKey key, List<String> messages) {
    List<String> before = problems.put(key, messages);
    if (!messages.equals(before)) {
      messages.forEach(
          m -> log.warn("event=config_problem source={} problem=\"{}\"", SOURCE_NAME, escape(m)));
      publishDiagnostics();
    }
  }

  // Caller holds lock.
  private void clearProblems(ConfigKey key) {
    if (problems.remove(key) != null) {
      log.info("event=config_problem_resolved source={} object=\"{}\"", SOURCE_NAME, key);
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
