package dev.meshctl.controlplane.leader;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one leadership term of a watching leader task holds: its single daemon worker thread, on
 * which all its reconciling runs, and the informers it opened. {@link #stop} closes the informers
 * and then the worker, so no event of an old term is handled after the term ends. Created in a
 * task's {@code start} and stopped in its {@code stop}; the owning task guards it.
 */
public final class TaskTerm {
  private final ScheduledExecutorService worker;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  private TaskTerm(ScheduledExecutorService worker) {
    this.worker = worker;
  }

  /** A new term whose worker thread is named {@code threadName}. */
  public static TaskTerm start(String threadName) {
    return new TaskTerm(
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            }));
  }

  /** The term's worker. */
  public ScheduledExecutorService worker() {
    return worker;
  }

  /** Keeps {@code informer} to be closed with the term; returns it. */
  public <T> SharedIndexInformer<T> add(SharedIndexInformer<T> informer) {
    informers.add(informer);
    return informer;
  }

  /** Closes the informers, then stops the worker (waiting up to 5 s for a running reconcile). */
  public void stop() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
