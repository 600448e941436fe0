package dev.meshctl.controlplane.rootcert;

import dev.meshctl.controlplane.leader.LeaderTasks;
import dev.meshctl.controlplane.leader.TaskTerm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader task: keeps ConfigMap {@code istio-ca-root-cert} (key {@code root-cert.pem}, the CA's
 * trust bundle) in every namespace, as istiod's namespace controller does, so that sidecars
 * mounting it can verify the control plane and each other. Watches Namespaces and the ConfigMaps of
 * that name: a missing one is created, a modified one is put back, a deleted one is recreated; when
 * the CA's bundle changes (rotation, checked every {@code rootCheck}) every namespace is updated.
 * Terminating namespaces are left alone (creating there is refused anyway).
 *
 * <p>All reconciling runs on one private thread, created on {@link #start} and stopped on {@link
 * #stop}, so writes for a namespace never race each other. A write happens only when the cached
 * ConfigMap differs from the desired one, so the watch event our own write causes ends the loop.
 * {@link #start}/{@link #stop} are called by {@link LeaderTasks}; {@link #writes} from any thread.
 */
public final class RootCertPublisher implements LeaderTasks.Task {
  private static final Logger log = LoggerFactory.getLogger(RootCertPublisher.class);

  /** The ConfigMap's name, as Istio's. */
  public static final String CONFIG_MAP = "istio-ca-root-cert";

  /** The key holding the PEM bundle. */
  public static final String KEY = "root-cert.pem";

  /** Label Istio puts on the ConfigMaps it distributes. */
  static final Map<String, String> LABELS = Map.of("istio.io/config", "true");

  private final KubernetesClient client;
  private final Supplier<String> rootBundle;
  private final Duration rootCheck;
  private final AtomicLong writes = new AtomicLong();
  private TaskTerm term; // guarded by this
  private SharedIndexInformer<Namespace> namespaces; // guarded by this
  private SharedIndexInformer<ConfigMap> configMaps; // guarded by this
  private String published; // worker thread only

  /**
   * @param rootBundle the CA's current trust bundle (PEM); read on the worker thread
   * @param rootCheck how often the bundle is compared with what was published
   */
  public RootCertPublisher(
      KubernetesClient client, Supplier<String> rootBundle, Duration rootCheck) {
    this.client = client;
    this.rootBundle = rootBundle;
    this.rootCheck = rootCheck;
  }

  @Override
  public String name() {
    return "root-cert-publisher";
  }

  @Override
  public synchronized void start() {
    term = TaskTerm.start("meshctl-root-cert");
    ScheduledExecutorService w = term.worker();
    published = null;
    namespaces = term.add(client.namespaces().inform(handler(w, ns -> ns.getMetadata().getName())));
    configMaps =
        client
            .configMaps()
            .inAnyNamespace()
            .withField("metadata.name", CONFIG_MAP)
            .inform(handler(w, cm -> cm.getMetadata().getNamespace()));
    term.add(configMaps);
    // Both caches are filled: publish everywhere now, then watch the bundle for rotation.
    w.scheduleWithFixedDelay(this::checkRoot, 0, rootCheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (term != null) {
      term.stop();
      term = null;
    }
  }

  /** Creates and updates made so far (for tests and logs). */
  public long writes() {
    return writes.get();
  }

  private void checkRoot() {
    String root = rootBundle.get();
    if (!Objects.equals(root, published)) {
      boolean rotation = published != null;
      published = root;
      if (rotation) {
        log.info("event=root_cert_changed action=update_all_namespaces");
      }
      reconcileAll();
    }
  }

  private void reconcileAll() {
    SharedIndexInformer<Namespace> ns;
    synchronized (this) {
      ns = namespaces;
    }
    if (ns == null) {
      return;
    }
    for (String key : ns.getIndexer().listKeys()) {
      reconcile(key);
    }
  }

  /** Makes the namespace's ConfigMap match the published bundle. Worker thread only. */
  private void reconcile(String namespace) {
    if (published == null || Thread.currentThread().isInterrupted()) {
      return; // the first checkRoot publishes everywhere
    }
    SharedIndexInformer<Namespace> nsInformer;
    SharedIndexInformer<ConfigMap> cmInformer;
    synchronized (this) {
      nsInformer = namespaces;
      cmInformer = configMaps;
    }
    if (nsInformer == null || cmInformer == null) {
      return;
    }
    Namespace ns = nsInformer.getIndexer().getByKey(namespace);
    if (ns == null
        || ns.getMetadata().getDeletionTimestamp() != null
        || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()))) {
      return;
    }
    ConfigMap current = cmInformer.getIndexer().getByKey(namespace + "/" + CONFIG_MAP);
    try {
      if (current == null) {
        create(namespace);
      } else if (!published.equals(current.getData() == null ? null : current.getData().get(KEY))) {
        update(current);
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        // The cache was behind (exists already, or changed since): read it and try once more.
        ConfigMap fresh = client.configMaps().inNamespace(namespace).withName(CONFIG_MAP).get();
        try {
          if (fresh == null) {
            create(namespace);
          } else if (!published.equals(fresh.getData() == null ? null : fresh.getData().get(KEY))) {
            update(fresh);
          }
          return;
        } catch (KubernetesClientException again) {
          e = again;
        }
      }
      log.warn(
          "event=root_cert_write_failed namespace={} configmap={} code={} error=\"{}\"",
          namespace,
          CONFIG_MAP,
          e.getCode(),
          e.getMessage());
    }
  }

  private void create(String namespace) {
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(CONFIG_MAP)
                .withLabels(LABELS)
                .endMetadata()
                .withData(Map.of(KEY, published))
                .build())
        .create();
    writes.incrementAndGet();
    log.info("event=root_cert_created namespace={} configmap={}", namespace, CONFIG_MAP);
  }

  private void update(ConfigMap current) {
    // A full replace with the resourceVersion we saw: a concurrent change gives a conflict.
    ConfigMap desired =
        new ConfigMapBuilder(current)
            .editMetadata()
            .addToLabels(LABELS)
            .endMetadata()
            .addToData(KEY, published)
            .build();
    client
        .configMaps()
        .inNamespace(current.getMetadata().getNamespace())
        .resource(desired)
        .update();
    writes.incrementAndGet();
    log.info(
        "event=root_cert_updated namespace={} configmap={}",
        current.getMetadata().getNamespace(),
        CONFIG_MAP);
  }

  /** Queues a reconcile of the object's namespace on the worker for every event. */
  private <T> ResourceEventHandler<T> handler(
      ScheduledExecutorService w, Function<T, String> namespaceOf) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        queue(namespaceOf.apply(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        queue(namespaceOf.apply(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        queue(namespaceOf.apply(obj));
      }

      private void queue(String namespace) {
        try {
          w.execute(() -> reconcile(namespace));
        } catch (RejectedExecutionException e) {
          // Stopped (leadership lost): the next leader reconciles.
        }
      }
    };
  }
}
