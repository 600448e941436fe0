package dev.meshctl.controlplane.leader;

import dev.meshctl.controlplane.metrics.MetricsRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease with fabric8's {@link LeaderElector}.
 * The holder runs the {@link LeaderTasks}; every replica keeps serving xDS whatever the outcome.
 *
 * <p>fabric8's elector ends for good once leadership is lost (renewal failed, API server away), so
 * a new elector is started whenever the previous one ends without {@link #close}: a replica that
 * lost the Lease competes again, as Istio's elector does. On {@link #close} the Lease is released
 * (holder cleared), so another replica takes over at its next retry instead of waiting for the
 * lease duration to pass.
 *
 * <p>Task transitions run on a private single thread, in the order the elector reports them, so a
 * slow task start never delays lease renewal. The elector's own polling runs on the injected
 * executor. The Lease's times come from fabric8 (system clock); {@code clock} times our log lines
 * and metrics. {@link #start} and {@link #close} are for the owner; the rest is thread-safe.
 */
public final class LeaseLeadership implements Leadership {
  private static final Logger log = LoggerFactory.getLogger(LeaseLeadership.class);

  /**
   * Where and how to elect.
   *
   * @param namespace the Lease's namespace (the control plane's)
   * @param leaseName the Lease's name
   * @param identity this replica's name in the Lease (the pod name)
   * @param leaseDuration how long a Lease holds without renewal before others may take it
   * @param renewDeadline how long the leader keeps trying to renew before giving up
   * @param retryPeriod the wait between attempts
   */
  public record Settings(
      String namespace,
      String leaseName,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    /** Istio's election name for the singleton controllers of istiod. */
    public static final String DEFAULT_LEASE = "istio-leader";

    /** Istio's durations: 30 s lease, renewal within half of it, retry every quarter. */
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);

    public Settings {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(leaseName, "leaseName");
      Objects.requireNonNull(identity, "identity");
      if (identity.isBlank()) {
        throw new IllegalArgumentException("leader election identity must not be blank");
      }
      if (retryPeriod.isZero()
          || retryPeriod.isNegative()
          || renewDeadline.compareTo(retryPeriod) <= 0
          || leaseDuration.compareTo(renewDeadline) <= 0) {
        throw new IllegalArgumentException(
            "leader election needs lease duration ("
                + leaseDuration
                + ") > renew deadline ("
                + renewDeadline
                + ") > retry period ("
                + retryPeriod
                + ") > 0");
      }
    }

    /** Istio's defaults (30 s, 15 s, 7.5 s) for this namespace and identity. */
    public static Settings defaults(String namespace, String identity) {
      return new Settings(
          namespace,
          DEFAULT_LEASE,
          identity,
          DEFAULT_LEASE_DURATION,
          DEFAULT_LEASE_DURATION.dividedBy(2),
          DEFAULT_LEASE_DURATION.dividedBy(4));
    }
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final LeaderTasks tasks;
  private final Executor electorExecutor;
  private final Clock clock;
  private final MetricsRegistry.Family leaderGauge;
  private final MetricsRegistry.Family changes;
  private final ExecutorService transitions;
  private CompletableFuture<?> current; // guarded by this
  private boolean closed; // guarded by this
  private volatile boolean leader;
  private volatile String observedLeader = "";
  private volatile Instant since;

  /**
   * @param electorExecutor runs the elector's attempts (a few short API calls each)
   * @param clock times the leadership log lines
   */
  public LeaseLeadership(
      KubernetesClient client,
      Settings settings,
      LeaderTasks tasks,
      Executor electorExecutor,
      Clock clock,
      MetricsRegistry metrics) {
    this.client = client;
    this.settings = settings;
    this.tasks = tasks;
    this.electorExecutor = electorExecutor;
    this.clock = clock;
    this.leaderGauge =
        metrics.gauge(
            "meshctl_leader", "1 while this replica holds the leader election Lease", "lease");
    this.changes =
        metrics.counter(
            "meshctl_leader_changes_total",
            "Leadership gained or lost by this replica",
            "lease",
            "change");
    leaderGauge.set(0, settings.leaseName());
    this.transitions =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "meshctl-leader-tasks");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public synchronized void start() {
    if (closed || current != null) {
      return;
    }
    log.info(
        "event=leader_election_started lease={}/{} identity={} lease_duration={} renew_deadline={}"
            + " retry_period={}",
        settings.namespace(),
        settings.leaseName(),
        settings.identity(),
        settings.leaseDuration(),
        settings.renewDeadline(),
        settings.retryPeriod());
    elect();
  }

  private synchronized void elect() {
    if (closed) {
      return;
    }
    LeaderElectionConfig config =
        new LeaderElectionConfig(
            new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()),
            settings.leaseDuration(),
            settings.renewDeadline(),
            settings.retryPeriod(),
            new LeaderCallbacks(this::gained, this::lost, this::newLeader),
            true,
            settings.leaseName());
    CompletableFuture<?> run = new LeaderElector(client, config, electorExecutor).start();
    current = run;
    run.whenComplete(
        (v, t) -> {
          // Ended without close(): leadership was lost (or never won before an error). Compete
          // again with a fresh elector; fabric8's is single-use.
          boolean again;
          synchronized (this) {
            again = !closed && current == run;
          }
          if (again) {
            log.warn(
                "event=leader_election_cycle_ended lease={} identity={} action=retry",
                settings.leaseName(),
                settings.identity(),
                t);
            elect();
          }
        });
  }

  private void gained() {
    transition(
        () -> {
          if (leader) {
            return;
          }
          leader = true;
          since = clock.instant();
          leaderGauge.set(1, settings.leaseName());
          changes.inc(settings.leaseName(), "gained");
          log.info(
              "event=leadership_gained lease={} identity={}",
              settings.leaseName(),
              settings.identity());
          tasks.startAll();
        });
  }

  private void lost() {
    transition(
        () -> {
          if (!leader) {
            return;
          }
          leader = false;
          leaderGauge.set(0, settings.leaseName());
          changes.inc(settings.leaseName(), "lost");
          log.info(
              "event=leadership_lost lease={} identity={} held_for={}",
              settings.leaseName(),
              settings.identity(),
              Duration.between(since, clock.instant()));
          tasks.stopAll();
        });
  }

  private void transition(Runnable r) {
    try {
      transitions.execute(r);
    } catch (RejectedExecutionException e) {
      // After close: the tasks are already stopped, nothing to do.
    }
  }

  private void newLeader(String identity) {
    observedLeader = identity == null ? "" : identity;
    log.info(
        "event=leader_observed lease={} leader={} self={}",
        settings.leaseName(),
        observedLeader,
        settings.identity());
  }

  @Override
  public boolean isLeader() {
    return leader;
  }

  /** The holder this replica last saw in the Lease ("" when none). */
  public String observedLeader() {
    return observedLeader;
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /**
   * Stops the tasks, releases the Lease if held, and ends the election. Blocks until the tasks have
   * stopped (at most a few seconds).
   */
  @Override
  public void close() {
    CompletableFuture<?> run;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      run = current;
    }
    if (run != null) {
      // Cancelling makes the elector stop renewing and, holding the Lease, release it.
      run.cancel(true);
    }
    lost();
    transitions.shutdown();
    try {
      if (!transitions.awaitTermination(5, TimeUnit.SECONDS)) {
        transitions.shutdownNow();
      }
    } catch (InterruptedException e) {
      transitions.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
