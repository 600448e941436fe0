package dev.meshctl.controlplane.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.metrics.MetricsRegistry;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseLeadershipTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  KubernetesClient client;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<LeaseLeadership> electors = new CopyOnWriteArrayList<>();
  private final MetricsRegistry metrics = new MetricsRegistry();

  @AfterEach
  void stop() {
    electors.forEach(LeaseLeadership::close);
    executor.shutdownNow();
  }

  private LeaseLeadership elector(String identity) {
    LeaderTasks tasks = new LeaderTasks();
    tasks.register(
        new LeaderTasks.Task() {
          @Override
          public String name() {
            return "record";
          }

          @Override
          public void start() {
            events.add(identity + " start");
          }

          @Override
          public void stop() {
            events.add(identity + " stop");
          }
        });
    LeaseLeadership l =
        new LeaseLeadership(
            client,
            new LeaseLeadership.Settings(
                "istio-system",
                LeaseLeadership.Settings.DEFAULT_LEASE,
                identity,
                Duration.ofSeconds(4),
                Duration.ofSeconds(2),
                Duration.ofMillis(200)),
            tasks,
            executor,
            Clock.systemUTC(),
            identity.equals("istiod-a") ? metrics : new MetricsRegistry());
    electors.add(l);
    return l;
  }

  private String holder() {
    Lease lease =
        client
            .leases()
            .inNamespace("istio-system")
            .withName(LeaseLeadership.Settings.DEFAULT_LEASE)
            .get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void secondReplicaTakesOverWhenTheFirstStops() {
    LeaseLeadership a = elector("istiod-a");
    a.start();
    await().atMost(WAIT).until(a::isLeader);
    assertThat(holder()).isEqualTo("istiod-a");
    assertThat(metrics.render()).contains("meshctl_leader{lease=\"istio-leader\"} 1");

    LeaseLeadership b = elector("istiod-b");
    b.start();
    // b has seen a as the holder, so it has tried at least once and lost.
    await().atMost(WAIT).until(() -> b.observedLeader().equals("istiod-a"));
    assertThat(b.isLeader()).isFalse();
    assertThat(events).containsExactly("istiod-a start");

    a.close();
    assertThat(a.isLeader()).isFalse();
    assertThat(metrics.render()).contains("meshctl_leader{lease=\"istio-leader\"} 0");
    await().atMost(WAIT).until(b::isLeader);
    assertThat(holder()).isEqualTo("istiod-b");
    // The old leader's tasks stopped before the new leader's started: never two writers.
    assertThat(events).containsExactly("istiod-a start", "istiod-a stop", "istiod-b start");
    assertThat(metrics.render())
        .contains("meshctl_leader_changes_total{lease=\"istio-leader\",change=\"gained\"} 1")
        .contains("meshctl_leader_changes_total{lease=\"istio-leader\",change=\"lost\"} 1");
  }

  @Test
  void leaderThatLosesTheLeaseStopsItsTasksAndCompetesAgain() {
    LeaseLeadership a = elector("istiod-a");
    a.start();
    await().atMost(WAIT).until(a::isLeader);

    // Someone else takes the Lease (as after a partition): a's renewal sees another holder. The
    // edit races a's renewals, so a 409 Conflict means: read again and retry.
    await()
        .atMost(WAIT)
        .ignoreExceptionsInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .until(
            () -> {
              client
                  .leases()
                  .inNamespace("istio-system")
                  .withName(LeaseLeadership.Settings.DEFAULT_LEASE)
                  .edit(
                      l -> {
                        l.getSpec().setHolderIdentity("istiod-x");
                        l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
                        return l;
                      });
              return true;
            });
    await().atMost(WAIT).until(() -> !a.isLeader());
    assertThat(events).containsExactly("istiod-a start", "istiod-a stop");

    // istiod-x never renews: once its lease expires, a wins again with a fresh elector.
    await().atMost(WAIT).until(a::isLeader);
    assertThat(events).containsExactly("istiod-a start", "istiod-a stop", "istiod-a start");
  }

  @Test
  void durationsMustNest() {
    assertThatThrownBy(
            () ->
                new LeaseLeadership.Settings(
                    "ns",
                    "l",
                    "me",
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "leader election needs lease duration (PT10S) > renew deadline (PT10S) > retry period"
                + " (PT2S) > 0");
  }

  @Test
  void localLeadershipLeadsFromStartToClose() {
    LeaderTasks tasks = new LeaderTasks();
    List<String> seen = new CopyOnWriteArrayList<>();
    tasks.register(
        new LeaderTasks.Task() {
          @Override
          public String name() {
            return "t";
          }

          @Override
          public void start() {
            seen.add("start");
          }

          @Override
          public void stop() {
            seen.add("stop");
          }
        });
    LocalLeadership local = new LocalLeadership(tasks);
    assertThat(local.isLeader()).isFalse();
    local.start();
    local.start();
    assertThat(local.isLeader()).isTrue();
    assertThat(tasks.running()).containsExactly("t");
    local.close();
    local.close();
    assertThat(seen).containsExactly("start", "stop");
    assertThat(local.isLeader()).isFalse();
  }
}
