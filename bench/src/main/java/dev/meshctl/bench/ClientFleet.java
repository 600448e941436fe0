package dev.meshctl.bench;

import dev.meshctl.bench.AckingAdsClient.ClientStats;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link AckingAdsClient}s in this JVM, one plaintext gRPC channel (one TCP connection) each, as
 * real sidecars have. Also the main class of the child JVM behind {@link RemoteFleet}: it then
 * reads one command per line on stdin and answers on stdout.
 */
public final class ClientFleet implements Fleet, AckingAdsClient.Watcher {
  /** A response larger than this fails the stream: far above the 4 MB default, to measure. */
  private static final int MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AckingAdsClient> clients = new ArrayList<>();
  private final CountDownLatch converged;
  private volatile CountDownLatch edsUpdated = new CountDownLatch(0);

  /** Connects one client per node to {@code host:port} and sends their initial requests. */
  public ClientFleet(String host, int port, List<Node> nodes) {
    this.converged = new CountDownLatch(nodes.size());
    for (Node node : nodes) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(host, port)
              .usePlaintext()
              .maxInboundMessageSize(MAX_MESSAGE_BYTES)
              // Callbacks only count and answer; running them on the transport thread saves a
              // thread hop per response.
              .directExecutor()
              .build();
      channels.add(channel);
      AckingAdsClient client = new AckingAdsClient(channel, node, this);
      clients.add(client);
      client.start();
    }
  }

  @Override
  public void converged(AckingAdsClient client) {
    converged.countDown();
  }

  @Override
  public void edsUpdated(AckingAdsClient client) {
    edsUpdated.countDown();
  }

  @Override
  public boolean awaitConverged(Duration timeout) throws InterruptedException {
    return converged.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Clients that have converged so far. */
  long convergedCount() {
    return clients.size() - converged.getCount();
  }

  @Override
  public void expectEdsUpdate() {
    edsUpdated = new CountDownLatch(clients.size());
    clients.forEach(AckingAdsClient::expectEdsUpdate);
  }

  @Override
  public boolean awaitEdsUpdated(Duration timeout) throws InterruptedException {
    return edsUpdated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public List<ClientStats> stats() {
    List<ClientStats> out = new ArrayList<>();
    clients.forEach(c -> out.add(c.stats()));
    return out;
  }

  @Override
  public long clientCpuNanos() {
    return -1;
  }

  @Override
  public void close() {
    clients.forEach(AckingAdsClient::close);
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Child-JVM entry point: {@code --port P --services N --endpoints E --proxies P --namespaces K
   * --timeout-seconds T}. Prints {@code READY}, then answers {@code AWAIT_CONVERGED}, {@code
   * EXPECT_EDS}, {@code AWAIT_EDS}, {@code CPU}, {@code STATS} and {@code EXIT}; exits on EOF, and
   * in any case after a watchdog period so that a lost parent never leaves it running.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    int port = Args.intArg(a, "port", 0);
    Duration timeout = Duration.ofSeconds(Args.intArg(a, "timeout-seconds", 180));
    List<Node> nodes =
        SyntheticMesh.build(
                Args.intArg(a, "services", 100),
                Args.intArg(a, "endpoints", 2),
                Args.intArg(a, "proxies", 100),
                Args.intArg(a, "namespaces", 10))
            .nodes();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(timeout.multipliedBy(5).toMillis());
              } catch (InterruptedException e) {
                return;
              }
              System.err.println("client fleet: watchdog expired, exiting");
              Runtime.getRuntime().halt(3);
            },
            "fleet-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (ClientFleet fleet = new ClientFleet("127.0.0.1", port, nodes);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      out.println("READY");
      String line;
      while ((line = in.readLine()) != null && !line.equals("EXIT")) {
        switch (line) {
          case "AWAIT_CONVERGED" ->
              out.println(
                  "CONVERGED " + fleet.awaitConverged(timeout) + " " + fleet.convergedCount());
          case "EXPECT_EDS" -> {
            fleet.expectEdsUpdate();
            out.println("ARMED");
          }
          case "CPU" -> out.println(JvmProbes.cpuNanos());
          case "AWAIT_EDS" -> out.println("EDS " + fleet.awaitEdsUpdated(timeout));
          case "STATS" -> {
            for (ClientStats s : fleet.stats()) {
              out.println(RemoteFleet.encode(s));
            }
            out.println("END");
          }
          default -> out.println("ERROR unknown command " + line);
        }
      }
    }
    System.exit(0);
  }
}
