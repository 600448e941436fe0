package dev.meshctl.controlplane;

import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.tls.ServingCertificate;
import dev.meshctl.controlplane.leader.ElectionSettings;
import dev.meshctl.controlplane.leader.LeaderTasks;
import dev.meshctl.controlplane.leader.Leadership;
import dev.meshctl.controlplane.leader.LeaseLeadership;
import dev.meshctl.controlplane.leader.LocalLeadership;
import dev.meshctl.controlplane.metrics.MetricsRegistry;
import dev.meshctl.controlplane.rootcert.RootCertPublisher;
import dev.meshctl.controlplane.security.SecureServing;
import dev.meshctl.controlplane.status.StatusReporter;
import dev.meshctl.controlplane.status.StatusWriter;
import dev.meshctl.controlplane.webhook.CaBundlePatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The leader-only work of a control plane and the election that gates it: with a cluster, the
 * config status writer, the root ConfigMap publisher and (with the CA) the webhook caBundle
 * patcher, run by whichever replica holds the Lease; without one, this replica leads and there is
 * nothing to do yet. Called once from {@link ControlPlane}'s start; the result is immutable.
 *
 * @param leadership the election (already started)
 * @param status where sources report validation outcomes
 */
record SingletonWork(Leadership leadership, StatusReporter status) {
  /** Quiet period before the status writer flushes a batch. */
  static final Duration STATUS_DEBOUNCE = Duration.ofMillis(200);

  /** How often the CA root is compared with what was published (rotation). */
  static final Duration ROOT_CHECK = Duration.ofSeconds(10);

  /**
   * Registers the tasks, starts the election, and hands everything to close to {@code closeables}
   * (in start order; the owner closes in reverse, so the election stops before its threads).
   */
  /**
   * The config status writer of a cluster, with its thread (handed to {@code closeables}). Made
   * before the sources start, so that their first outcomes are collected; it writes only once
   * {@link #start} has registered it and this replica leads.
   */
  static StatusWriter statusWriter(
      KubernetesClient client, Clock clock, Consumer<AutoCloseable> closeables) {
    ScheduledExecutorService statusThread =
        Executors.newSingleThreadScheduledExecutor(daemon("meshctl-status"));
    closeables.accept(() -> shutdown(statusThread));
    return new StatusWriter(client, statusThread, clock, STATUS_DEBOUNCE);
  }

  static SingletonWork start(
      Optional<KubernetesClient> kube,
      Optional<StatusWriter> status,
      Optional<SecureServing> secure,
      String namespace,
      String revision,
      String identity,
      ElectionSettings election,
      LeaderTasks tasks,
      Clock clock,
      MetricsRegistry metrics,
      Consumer<AutoCloseable> closeables) {
    if (kube.isEmpty()) {
      Leadership local = new LocalLeadership(tasks);
      closeables.accept(local);
      local.start();
      return new SingletonWork(local, StatusReporter.NONE);
    }
    KubernetesClient client = kube.get();
    StatusWriter writer = status.orElseGet(() -> statusWriter(client, clock, closeables));
    tasks.register(writer);
    secure.ifPresent(
        s -> {
          tasks.register(
              new RootCertPublisher(
                  client, () -> s.ca().keyMaterial().rootBundlePem(), ROOT_CHECK));
          tasks.register(
              new CaBundlePatcher(
                  client,
                  namespace,
                  revision,
                  () -> servingRoot(s.servingCertificate().current()),
                  ROOT_CHECK));
        });
    ExecutorService electorThreads =
        Executors.newCachedThreadPool(daemon("meshctl-leader-election"));
    closeables.accept(() -> shutdown(electorThreads));
    Leadership lease =
        new LeaseLeadership(
            client,
            election.forReplica(namespace, identity),
            tasks,
            electorThreads,
            clock,
            metrics);
    closeables.accept(lease);
    lease.start();
    return new SingletonWork(lease, writer);
  }

  /** The last certificate of the serving chain: the root the webhooks' caBundle must hold. */
  static String servingRoot(ServingCertificate cert) {
    List<X509Certificate> chain = cert.chain();
    return Pem.encode(chain.get(chain.size() - 1));
  }

  private static void shutdown(ExecutorService executor) throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, n.getAndIncrement() == 0 ? name : name + "-" + n.get());
      t.setDaemon(true);
      return t;
    };
  }
}
