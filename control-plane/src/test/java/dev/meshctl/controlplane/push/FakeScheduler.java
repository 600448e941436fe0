package dev.meshctl.controlplane.push;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} with manual time for deterministic tests: nothing runs until
 * {@link #advance} moves time forward; due tasks then run on the calling thread in time order.
 * {@link #clock()} reads the same time. Test thread only.
 */
final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  private final PriorityQueue<Task<?>> queue =
      new PriorityQueue<>(
          java.util.Comparator.comparingLong((Task<?> t) -> t.at).thenComparingLong(t -> t.order));
  private long nowNanos;
  private long seq;
  private boolean shutdown;

  Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return EPOCH.plusNanos(nowNanos);
      }
    };
  }

  /** Time since the fake epoch. */
  Duration elapsed() {
    return Duration.ofNanos(nowNanos);
  }

  /** Tasks scheduled and not yet run or cancelled. */
  int pendingTasks() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }

  /** Moves time forward by {@code d}, running every task that falls due, in order. */
  void advance(Duration d) {
    long end = nowNanos + d.toNanos();
    while (!queue.isEmpty() && queue.peek().at <= end) {
      Task<?> t = queue.poll();
      nowNanos = Math.max(nowNanos, t.at);
      if (!t.cancelled) {
        t.run();
      }
    }
    nowNanos = end;
  }

  /** Runs what is due now (delay zero tasks). */
  void runDue() {
    advance(Duration.ZERO);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(
        () -> {
          command.run();
          return null;
        },
        delay,
        unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    Task<V> t = new Task<>(callable, nowNanos + unit.toNanos(Math.max(0, delay)), seq++);
    queue.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable r, long i, long p, TimeUnit u) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable r, long i, long d, TimeUnit u) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    queue.clear();
    return new ArrayList<>();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> implements ScheduledFuture<V> {
    final Callable<V> callable;
    final long at;
    final long order;
    boolean cancelled;
    boolean done;
    V result;

    Task(Callable<V> callable, long at, long order) {
      this.callable = callable;
      this.at = at;
      this.order = order;
    }

    void run() {
      try {
        result = callable.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        done = true;
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      if (done) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public V get() {
      return result;
    }

    @Override
    public V get(long timeout, TimeUnit unit) {
      return result;
    }
  }
}
