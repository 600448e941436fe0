package dev.meshctl.xds.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Paces how many new ADS streams are <em>initialised</em> (served their first response) per second,
 * like Istio's {@code PILOT_MAX_REQUESTS_PER_SECOND}: when hundreds of proxies reconnect at once (a
 * control-plane restart) their first full pushes would otherwise take every push worker, and
 * proxies already connected would wait behind them. Streams are never refused: an excess stream's
 * first request is handled later, while pushes to streams already initialised go on.
 *
 * <p>A token bucket: up to {@code burst} streams start at once, then one every {@code 1/rate}
 * seconds, granted in arrival order (generic cell rate algorithm: each grant reserves the next
 * slot, so no queue is kept here). A stream whose slot is in the future is started by {@link Timer}
 * when it comes. Thread-safe; {@link #acquire} may be called from any thread and never blocks.
 */
public final class StreamInitLimiter {

  /** Runs a task after a delay: a scheduled executor, or a fake driven by a test clock. */
  @FunctionalInterface
  public interface Timer {
    void runAfter(Duration delay, Runnable task);

    /** A timer on {@code scheduler}. */
    static Timer of(ScheduledExecutorService scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      return (delay, task) -> scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Starts every stream at once. */
  public static final StreamInitLimiter UNLIMITED = new StreamInitLimiter();

  private final long intervalNanos;
  private final long burstNanos;
  private final Clock clock;
  private final Timer timer;

  /** The theoretical arrival time of the next grant, in nanoseconds of {@link #clock}. */
  private long nextSlotNanos = Long.MIN_VALUE;

  private StreamInitLimiter() {
    this.intervalNanos = 0;
    this.burstNanos = 0;
    this.clock = null;
    this.timer = null;
  }

  /**
   * @param perSecond streams started per second once the burst is used; positive
   * @param burst streams that may start at once; at least 1
   * @param clock the time source for slots
   * @param timer starts the delayed streams
   */
  public StreamInitLimiter(double perSecond, int burst, Clock clock, Timer timer) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException(
          "stream initialisations per second must be positive, got " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("stream initialisation burst must be >= 1, got " + burst);
    }
    this.intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
    this.burstNanos = (burst - 1) * intervalNanos;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = Objects.requireNonNull(timer, "timer");
  }

  /**
   * Runs {@code start} now when a slot is free (on the calling thread), else on the timer when this
   * caller's slot comes.
   */
  public void acquire(Runnable start) {
    Objects.requireNonNull(start, "start");
    if (timer == null) {
      start.run();
      return;
    }
    long delay = reserve();
    if (delay <= 0) {
      start.run();
    } else {
      timer.runAfter(Duration.ofNanos(delay), start);
    }
  }

  /** Reserves the next slot; returns how long until it, in nanoseconds (0 or less: now). */
  private synchronized long reserve() {
    Duration sinceEpoch = Duration.between(Instant.EPOCH, clock.instant());
    long now = sinceEpoch.toNanos();
    long tat = Math.max(nextSlotNanos, now);
    long grantAt = Math.max(now, tat - burstNanos);
    nextSlotNanos = tat + intervalNanos;
    return grantAt - now;
  }
}
