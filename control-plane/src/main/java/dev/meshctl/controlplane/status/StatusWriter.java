package dev.meshctl.controlplane.status;

import dev.meshctl.controlplane.leader.LeaderTasks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader task: writes each Istio config object's validation outcome into its {@code status} through
 * the status subresource ({@link StatusContent}), so {@code kubectl get -o yaml} shows why an
 * invalid object is ignored, and clears it once the object is valid again.
 *
 * <p>Every replica collects reports ({@link #report}, {@link #forget}); only the leader writes.
 * Reports are batched: the first one after a quiet moment schedules a flush {@code debounce} later,
 * and the flush handles everything reported meanwhile, latest outcome per object. A write reads the
 * object, computes the new status and writes only if it differs — so the watch event our own write
 * causes, re-reported by the source, writes nothing (no loops). An outcome for an older generation
 * than the object now has is dropped (a newer report follows). A conflict re-reads and retries. On
 * gaining leadership everything known is flushed once: the previous leader may have missed some.
 *
 * <p>Thread-safe: reports come from any thread; writes run on the injected single-thread scheduler.
 */
public final class StatusWriter implements StatusReporter, LeaderTasks.Task {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);
  private static final int ATTEMPTS = 3;

  private final KubernetesClient client;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Duration debounce;
  private final Map<ObjectRef, ConfigStatus> latest = new LinkedHashMap<>(); // guarded by this
  private final Set<ObjectRef> dirty = new LinkedHashSet<>(); // guarded by this
  private boolean leading; // guarded by this
  private boolean scheduled; // guarded by this
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong checks = new AtomicLong();

  /**
   * @param scheduler runs the flushes; single-threaded, so writes never overlap
   * @param clock the conditions' transition times
   * @param debounce how long reports are collected before a flush
   */
  public StatusWriter(
      KubernetesClient client, ScheduledExecutorService scheduler, Clock clock, Duration debounce) {
    this.client = client;
    this.scheduler = scheduler;
    this.clock = clock;
    this.debounce = debounce;
  }

  @Override
  public synchronized void report(ConfigStatus status) {
    ConfigStatus previous = latest.put(status.ref(), status);
    if (!status.equals(previous)) {
      dirty.add(status.ref());
      scheduleFlush();
    }
  }

  @Override
  public synchronized void forget(ObjectRef ref) {
    latest.remove(ref);
    dirty.remove(ref);
  }

  @Override
  public String name() {
    return "config-status";
  }

  @Override
  public synchronized void start() {
    leading = true;
    dirty.addAll(latest.keySet());
    scheduleFlush();
  }

  @Override
  public synchronized void stop() {
    leading = false;
  }

  /** Objects read and compared so far (written or found current). */
  public long checks() {
    return checks.get();
  }

  /** Status writes made so far. */
  public long writes() {
    return writes.get();
  }

  private void scheduleFlush() {
    if (!leading || scheduled || dirty.isEmpty()) {
      return;
    }
    try {
      scheduler.schedule(this::flush, debounce.toMillis(), TimeUnit.MILLISECONDS);
      scheduled = true;
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }

  private void flush() {
    List<ConfigStatus> batch;
    synchronized (this) {
      scheduled = false;
      if (!leading) {
        return;
      }
      batch = dirty.stream().map(latest::get).toList();
      dirty.clear();
    }
    for (ConfigStatus s : batch) {
      synchronized (this) {
        if (!leading) {
          // Lost leadership mid-batch: put the rest back for the next leader term.
          dirty.add(s.ref());
          continue;
        }
      }
      write(s);
    }
  }

  private void write(ConfigStatus outcome) {
    ObjectRef ref = outcome.ref();
    // Addressed without API discovery: the plural is known.
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(ref.group())
            .withVersion(ref.version())
            .withKind(ref.kind())
            .withPlural(ref.plural())
            .withNamespaced(true)
            .build();
    Resource<GenericKubernetesResource> resource =
        client
            .genericKubernetesResources(context)
            .inNamespace(ref.namespace())
            .withName(ref.name());
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        GenericKubernetesResource object = resource.get();
        if (object == null) {
          return; // deleted meanwhile
        }
        Long generation = object.getMetadata().getGeneration();
        if (outcome.generation() != 0 && generation != null && generation > outcome.generation()) {
          return; // validated an older generation; the newer one's report follows
        }
        checks.incrementAndGet();
        Map<String, Object> current = status(object);
        Map<String, Object> next = StatusContent.next(current, outcome, clock.instant());
        if (StatusContent.same(current, next)) {
          return;
        }
        if (next.isEmpty()) {
          object.getAdditionalProperties().remove("status");
        } else {
          object.getAdditionalProperties().put("status", next);
        }
        // PUT .../status with the resourceVersion read above: a concurrent change is a conflict.
        client
            .genericKubernetesResources(context)
            .inNamespace(ref.namespace())
            .resource(object)
            .updateStatus();
        writes.incrementAndGet();
        log.info(
            "event=config_status_written resource=\"{}\" generation={} invalid={} findings={}",
            ref,
            outcome.generation(),
            outcome.invalid(),
            outcome.findings().size());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_CONFLICT && attempt < ATTEMPTS) {
          continue; // changed since we read it: read again
        }
        log.warn(
            "event=config_status_write_failed resource=\"{}\" code={} error=\"{}\"",
            ref,
            e.getCode(),
            e.getMessage());
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource object) {
    Object s = object.getAdditionalProperties().get("status");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
