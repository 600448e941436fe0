package dev.meshctl.controlplane.push;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.PilotFeatures;
import dev.meshctl.xds.translate.TranslationContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns store changes into pushes, debounced: after a change, it waits until no further change has
 * arrived for {@code debounceAfter}, but never longer than {@code debounceMax} after the first
 * change not yet pushed, so a continuous stream of changes still gets pushed. Changes that arrive
 * while waiting are merged into one {@link PushRequest}. Each push builds a {@link MeshSnapshot}
 * from a consistent copy of the store and hands it to the {@link PushTarget}.
 *
 * <p>Like Istio's debounce, a timer is not re-armed on every change: one timer fires, and if
 * changes arrived meanwhile it re-arms for the remaining quiet time.
 *
 * <p>Threads: {@link #onChange} may be called from any thread (it only records and schedules);
 * timers and pushes run on the injected scheduler. One push runs at a time: a change arriving
 * during a push is merged into the next one, which is scheduled when the push ends. State is
 * guarded by {@code this}; the push itself runs without the lock.
 */
public final class PushLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushLoop.class);

  /**
   * Debounce settings.
   *
   * @param debounceAfter the quiet period after the last change
   * @param debounceMax the longest a change waits for its push
   */
  public record Settings(Duration debounceAfter, Duration debounceMax) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMillis(100), Duration.ofSeconds(10));

    public Settings {
      if (debounceAfter.isNegative() || debounceMax.isNegative()) {
        throw new IllegalArgumentException("debounce durations must not be negative");
      }
    }
  }

  private final Supplier<? extends Collection<ConfigObject>> objects;
  private final PushTarget target;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Settings settings;
  private final PushObserver observer;
  private final PilotFeatures features;

  // All below guarded by this.
  private PushRequest pending;
  private Instant firstPending;
  private Instant lastPending;
  private ScheduledFuture<?> timer;
  private boolean pushing;
  private boolean pushNow;
  private boolean started;
  private boolean closed;
  private long pushes;

  /**
   * @param objects a consistent copy of the current objects, e.g. {@code store::snapshotObjects}
   * @param target receives each push
   * @param scheduler runs timers and pushes; owned by the caller
   * @param clock the time source for the debounce windows
   * @param settings debounce windows
   */
  public PushLoop(
      Supplier<? extends Collection<ConfigObject>> objects,
      PushTarget target,
      ScheduledExecutorService scheduler,
      Clock clock,
      Settings settings) {
    this(objects, target, scheduler, clock, settings, PushObserver.NONE);
  }

  /**
   * @param observer told of changes received and snapshots built (metrics)
   */
  public PushLoop(
      Supplier<? extends Collection<ConfigObject>> objects,
      PushTarget target,
      ScheduledExecutorService scheduler,
      Clock clock,
      Settings settings,
      PushObserver observer) {
    this(objects, target, scheduler, clock, settings, observer, PilotFeatures.DEFAULT);
  }

  /**
   * @param features control plane settings every snapshot is translated under
   */
  public PushLoop(
      Supplier<? extends Collection<ConfigObject>> objects,
      PushTarget target,
      ScheduledExecutorService scheduler,
      Clock clock,
      Settings settings,
      PushObserver observer,
      PilotFeatures features) {
    this.features = Objects.requireNonNull(features, "features");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.objects = Objects.requireNonNull(objects, "objects");
    this.target = Objects.requireNonNull(target, "target");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Starts pushing: the initial push (everything loaded so far, no debounce) is scheduled now, and
   * changes are debounced from then on. Changes reported before start are merged into the initial
   * push. Call once the sources' first load is in the store.
   */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    record(PushRequest.initial());
    // The first push is not debounced: nothing is serving config yet.
    pushNow = true;
    arm(Duration.ZERO);
  }

  /** Records a store change; the push follows after the debounce. Never blocks. */
  public void onChange(ConfigChange change) {
    synchronized (this) {
      if (closed) {
        return;
      }
      record(PushRequest.of(change));
      if (started && !pushing && timer == null) {
        arm(settings.debounceAfter());
      }
    }
    observer.changeReceived(change);
  }

  /** Number of pushes completed (delivered to the target, successfully or not). */
  public synchronized long pushes() {
    return pushes;
  }

  /** Stops scheduling pushes; a push in progress completes. */
  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void record(PushRequest request) {
    Instant now = clock.instant();
    if (pending == null) {
      pending = request;
      firstPending = now;
    } else {
      pending = pending.merge(request);
    }
    lastPending = now;
  }

  // Caller holds the lock.
  private void arm(Duration delay) {
    timer = scheduler.schedule(this::fire, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
  }

  private void fire() {
    PushRequest request;
    Instant since;
    synchronized (this) {
      timer = null;
      if (closed || pushing || pending == null) {
        return;
      }
      Instant now = clock.instant();
      Instant quietAt = lastPending.plus(settings.debounceAfter());
      Instant capAt = firstPending.plus(settings.debounceMax());
      Instant due = quietAt.isBefore(capAt) ? quietAt : capAt;
      if (now.isBefore(due) && !pushNow) {
        arm(Duration.between(now, due));
        return;
      }
      request = pending;
      since = firstPending;
      pending = null;
      pushNow = false;
      pushing = true;
    }
    try {
      push(request, since);
    } finally {
      synchronized (this) {
        pushing = false;
        pushes++;
        if (pending != null && !closed) {
          // Changes that arrived during the push: their own windows decide when (maybe now).
          arm(Duration.ZERO);
        }
      }
    }
  }

  private void push(PushRequest request, Instant since) {
    Instant started = clock.instant();
    try {
      MeshSnapshot snapshot =
          MeshSnapshot.build(MeshConfig.DEFAULT, objects.get()).withFeatures(features);
      Instant built = clock.instant();
      observer.snapshotBuilt(
          request, snapshot, Duration.between(started, built), Duration.between(since, built));
      // The trigger travels with the push so each proxy's convergence is timed from it.
      target.push(new TranslationContext(snapshot), request.withTrigger(since));
      log.info(
          "event=push full={} endpoint_only={} changes={} keys={} services={} took_ms={}",
          request.full(),
          request.endpointOnly(),
          request.mergedChanges(),
          request.changedKeys().size(),
          snapshot.services().size(),
          Duration.between(started, clock.instant()).toMillis());
    } catch (RuntimeException e) {
      // A failing push must not stop later ones: the next change pushes again.
      log.error("event=push_failed changes={}", request.mergedChanges(), e);
    }
  }
}
