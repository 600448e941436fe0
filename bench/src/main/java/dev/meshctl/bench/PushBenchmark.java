package dev.meshctl.bench;

import dev.meshctl.bench.AckingAdsClient.ClientStats;
import dev.meshctl.xds.model.EndpointChanges;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.InvalidNodeException;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.server.PushScope;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Push benchmark (close to scenarios S2/S3 of docs/performance.md at small scale): a synthetic mesh
 * ({@link SyntheticMesh}) served by a real {@link AdsServer} over gRPC on 127.0.0.1 to {@code
 * proxies} {@link AckingAdsClient}s. Measures translation per proxy, snapshot build, initial
 * convergence, an endpoint-only update push, bytes, heap per connected proxy and responses per
 * proxy; prints one table and writes it as JSON under {@code bench-results/}.
 *
 * <p>Arguments: {@code --services N --endpoints E --proxies P --namespaces K}, optionally {@code
 * --clients process|inprocess} (default {@code process}: the clients run in a child JVM so that
 * heap and CPU figures are the server's), {@code --client-heap 2g}, {@code --timeout-seconds 180},
 * {@code --fresh-sample 50}, {@code --push-threads <cores>}, {@code --out bench-results}. Every
 * wait is bounded; the program exits by itself. Single-threaded driver.
 */
public final class PushBenchmark {

  /** What to run. */
  record Config(
      int services,
      int endpoints,
      int proxies,
      int namespaces,
      boolean remoteClients,
      String clientHeap,
      int timeoutSeconds,
      int freshSample,
      int pushThreads,
      String histogram) {}

  /**
   * What a run produced.
   *
   * @param report every metric, in table order
   * @param converged every client ACKed all four types in time
   * @param edsUpdated every client ACKed the updated EDS in time
   * @param initialStats per client, right after initial convergence
   * @param finalStats per client, at the end of the run
   */
  record Result(
      Report report,
      boolean converged,
      boolean edsUpdated,
      List<ClientStats> initialStats,
      List<ClientStats> finalStats) {}

  private PushBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Config config =
        new Config(
            Args.intArg(a, "services", 100),
            Args.intArg(a, "endpoints", 2),
            Args.intArg(a, "proxies", 100),
            Args.intArg(a, "namespaces", 10),
            !"inprocess".equals(a.getOrDefault("clients", "process")),
            a.getOrDefault("client-heap", "2g"),
            Args.intArg(a, "timeout-seconds", 180),
            Args.intArg(a, "fresh-sample", 50),
            Args.intArg(a, "push-threads", Runtime.getRuntime().availableProcessors()),
            a.getOrDefault("histogram", ""));
    Result result = run(config);
    System.out.print(result.report().table());
    String stamp =
        ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
    Path out =
        Path.of(
            a.getOrDefault("out", "bench-results"),
            stamp + "-n" + config.services() + "-p" + config.proxies() + ".json");
    result.report().writeJson(out);
    System.out.println("wrote " + out);
    System.exit(result.converged() && result.edsUpdated() ? 0 : 2);
  }

  /** Runs the whole scenario once. */
  static Result run(Config c) throws Exception {
    Report r = new Report();
    r.put("services", c.services(), "")
        .put("endpoints per service", c.endpoints(), "")
        .put("proxies", c.proxies(), "")
        .put("namespaces", c.namespaces(), "")
        .put("clients", c.remoteClients() ? "child JVM" : "in-process", "")
        .put("push threads", c.pushThreads(), "")
        .put("max heap", Runtime.getRuntime().maxMemory() >> 20, "MiB");
    SyntheticMesh mesh =
        SyntheticMesh.build(c.services(), c.endpoints(), c.proxies(), c.namespaces());

    long[] buildNanos = new long[6];
    MeshSnapshot snapshot = null;
    for (int i = 0; i < buildNanos.length; i++) {
      long start = System.nanoTime();
      snapshot = MeshSnapshot.build(MeshConfig.DEFAULT, mesh.objects());
      buildNanos[i] = System.nanoTime() - start;
    }
    // The first build runs interpreted: report the later ones.
    r.put(
        "snapshot build, median of 5",
        Percentiles.ofNanosAsMillis(java.util.Arrays.copyOfRange(buildNanos, 1, 6)).median(),
        "ms");

    List<Proxy> proxies = new ArrayList<>();
    for (Node n : mesh.nodes()) {
      proxies.add(parse(n));
    }
    MeshGenerator generator = new MeshGenerator(new SidecarGenerator(), new GrpcGenerator());
    PgvValidator validator = new PgvValidator();
    translation(
        r,
        new TranslationBench(generator, validator)
            .run(snapshot, proxies, c.freshSample(), Duration.ofSeconds(60)));

    CountingEvents events = new CountingEvents(c.proxies());
    ExecutorService pushExecutor =
        Executors.newFixedThreadPool(
            c.pushThreads(),
            task -> {
              Thread t = new Thread(task, "push-worker");
              t.setDaemon(true);
              return t;
            });
    AdsServer ads = new AdsServer(generator, validator, pushExecutor, Clock.systemUTC(), events);
    // Bound to loopback only (XdsGrpcServer binds every interface); otherwise configured as it is.
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ads)
            .permitKeepAliveTime(15, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build()
            .start();
    Duration timeout = Duration.ofSeconds(c.timeoutSeconds());
    Fleet fleet = null;
    try {
      long heapBefore = JvmProbes.usedHeapAfterGc();
      fleet =
          c.remoteClients()
              ? new RemoteFleet(
                  server.getPort(),
                  c.services(),
                  c.endpoints(),
                  c.proxies(),
                  c.namespaces(),
                  c.timeoutSeconds(),
                  c.clientHeap())
              : new ClientFleet("127.0.0.1", server.getPort(), mesh.nodes());
      if (!events.connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "only "
                + (c.proxies() - events.connected.getCount())
                + " of "
                + c.proxies()
                + " proxies connected within "
                + timeout);
      }
      long heapIdle = JvmProbes.usedHeapAfterGc();

      long cpu0 = JvmProbes.cpuNanos();
      long clientCpu0 = fleet.clientCpuNanos();
      long gc0 = JvmProbes.gcMillis();
      long pushStart = System.nanoTime();
      ads.push(new TranslationContext(snapshot));
      boolean converged = fleet.awaitConverged(timeout);
      long observed = System.nanoTime() - pushStart;
      long cpu = JvmProbes.cpuNanos() - cpu0;
      long gc = JvmProbes.gcMillis() - gc0;
      long clientCpu = fleet.clientCpuNanos() - clientCpu0;
      List<ClientStats> initial = fleet.stats();
      long serverBytesInitial = events.totalBytes();
      r.put("initial push: all converged", converged, "")
          .put("initial push: server CPU", cpu / 1e9, "s")
          .put("initial push: server GC pauses", gc, "ms")
          .put(
              "initial push: clients' CPU (same 2 cores)",
              clientCpu0 < 0 ? "n/a" : clientCpu / 1e9,
              "s");
      convergence(r, "initial push: convergence", initial, pushStart, true, observed);
      r.put("initial push: bytes sent, total", serverBytesInitial / 1e6, "MB")
          .put("initial push: bytes sent per proxy", serverBytesInitial / 1e3 / c.proxies(), "kB");
      for (XdsType t : XdsType.values()) {
        r.put(
            "largest " + t.shortName() + " response", events.largest.get(t.ordinal()) / 1e3, "kB");
      }

      long heapConverged = JvmProbes.usedHeapAfterGc();
      if (!c.histogram().isEmpty()) {
        JvmProbes.histogram(Path.of(c.histogram()));
      }
      r.put("heap before clients", heapBefore / 1e6, "MB")
          .put("heap per proxy, connected idle", (heapIdle - heapBefore) / 1e3 / c.proxies(), "kB")
          .put("heap per proxy, converged", (heapConverged - heapBefore) / 1e3 / c.proxies(), "kB");

      MeshSnapshot updated =
          MeshSnapshot.build(
              MeshConfig.DEFAULT,
              mesh.withOneEndpointNotReady(c.services(), c.endpoints(), c.namespaces()).objects());
      fleet.expectEdsUpdate();
      long bytesBeforeUpdate = events.totalBytes();
      long cpu1 = JvmProbes.cpuNanos();
      long clientCpu1 = fleet.clientCpuNanos();
      long updateStart = System.nanoTime();
      // As the control plane does for an endpoint-only change (AdsXdsFrontend): EDS for everyone,
      // everything for proxies whose own endpoints changed.
      EndpointChanges changes = EndpointChanges.between(snapshot, updated);
      ads.push(
          new TranslationContext(updated),
          changes.fullPushNeeded()
              ? PushScope.ALL
              : PushScope.endpoints(changes.changedAddresses()));
      boolean edsUpdated = fleet.awaitEdsUpdated(timeout);
      long updateObserved = System.nanoTime() - updateStart;
      long updateCpu = JvmProbes.cpuNanos() - cpu1;
      long updateClientCpu = fleet.clientCpuNanos() - clientCpu1;
      List<ClientStats> afterUpdate = fleet.stats();
      r.put("EDS update: all ACKed", edsUpdated, "")
          .put("EDS update: server CPU", updateCpu / 1e9, "s")
          .put("EDS update: clients' CPU", clientCpu1 < 0 ? "n/a" : updateClientCpu / 1e9, "s");
      convergence(r, "EDS update: convergence", afterUpdate, updateStart, false, updateObserved);
      r.put("EDS update: bytes sent, total", (events.totalBytes() - bytesBeforeUpdate) / 1e6, "MB");

      // Read once more after a GC's worth of time, so that a resend queued behind the EDS response
      // (LDS and RDS are pushed after EDS) would show up in the counts.
      JvmProbes.usedHeapAfterGc();
      List<ClientStats> end = fleet.stats();
      responses(r, "responses per proxy after initial push", initial);
      responses(r, "responses per proxy at end", end);
      for (XdsType t : XdsType.values()) {
        r.put("server responses " + t.shortName(), events.responses.get(t.ordinal()), "");
      }
      r.put("NACKs", events.nacks.get(), "")
          .put("resources refused by validation", events.rejected.get(), "")
          .put("generation failures", events.failures.get(), "")
          .put("client stream errors", end.stream().filter(s -> !s.error().isEmpty()).count(), "");
      return new Result(r, converged, edsUpdated, initial, end);
    } finally {
      if (fleet != null) {
        fleet.close();
      }
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
      pushExecutor.shutdownNow();
    }
  }

  private static void translation(Report r, TranslationBench.Result t) {
    Percentiles fresh = Percentiles.ofNanosAsMillis(t.freshNanos());
    Percentiles shared = Percentiles.ofNanosAsMillis(t.sharedNanos());
    int clusters = t.resources().getOrDefault(XdsType.CLUSTER, 0);
    r.put("resources per proxy (cds/eds/lds/rds)", t.resources().values().toString(), "")
        .put("translate, fresh context: sampled proxies", fresh.count(), "")
        .put("translate, fresh context: median", fresh.median(), "ms")
        .put("translate, fresh context: p99", fresh.at(99), "ms");
    for (XdsType type : XdsType.values()) {
      r.put(
          "translate, fresh context: median " + type.shortName(),
          Percentiles.ofNanosAsMillis(t.freshByType().get(type)).median(),
          "ms");
    }
    double cdsMedian = Percentiles.ofNanosAsMillis(t.freshByType().get(XdsType.CLUSTER)).median();
    r.put(
            "translate, fresh CDS per cluster",
            clusters == 0 ? Double.NaN : cdsMedian * 1000 / clusters,
            "us")
        .put(
            "serialize+validate one proxy's resources: median",
            Percentiles.ofNanosAsMillis(t.encodeValidateNanos()).median(),
            "ms")
        .put("translate, shared context: median", shared.median(), "ms")
        .put("translate, shared context: p99", shared.at(99), "ms")
        .put("translate, shared context: all proxies", shared.sum(), "ms");
  }

  /** Per-client times from {@code start} to the client's ACK, as p50/p99/max (ms). */
  private static void convergence(
      Report r,
      String what,
      List<ClientStats> stats,
      long start,
      boolean initial,
      long observedNanos) {
    long[] nanos =
        stats.stream()
            .mapToLong(s -> initial ? s.convergedNanos() : s.edsUpdatedNanos())
            .filter(v -> v != 0)
            .map(v -> v - start)
            .toArray();
    Percentiles p = Percentiles.ofNanosAsMillis(nanos);
    r.put(what + " p50", p.median(), "ms")
        .put(what + " p99", p.at(99), "ms")
        .put(what + " max (last proxy ACKed)", p.max(), "ms")
        .put(what + " seen by driver", observedNanos / 1e6, "ms");
  }

  private static void responses(Report r, String what, List<ClientStats> stats) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    // The clients track the four sidecar types (cds/eds/lds/rds); SDS is not benchmarked.
    int[] perTypeMax = new int[XdsType.SECRET.ordinal()];
    for (ClientStats s : stats) {
      int sum = 0;
      for (int t = 0; t < perTypeMax.length; t++) {
        sum += s.responses()[t];
        perTypeMax[t] = Math.max(perTypeMax[t], s.responses()[t]);
      }
      min = Math.min(min, sum);
      max = Math.max(max, sum);
    }
    r.put(what + " (min/max)", min + "/" + max, "")
        .put(what + ", max per type (cds/eds/lds/rds)", java.util.Arrays.toString(perTypeMax), "");
  }

  private static Proxy parse(Node node) {
    try {
      return ProxyParser.parse(node);
    } catch (InvalidNodeException e) {
      throw new IllegalStateException(
          "synthetic node " + node.getId() + " is invalid: " + e.getMessage(), e);
    }
  }
}
