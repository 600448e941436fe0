package dev.meshctl.controlplane.xds;

import dev.meshctl.controlplane.XdsFrontend;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.EndpointChanges;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.server.ConnectionStatus;
import dev.meshctl.xds.server.ProxyConfigDump;
import dev.meshctl.xds.server.PushScope;
import dev.meshctl.xds.server.StreamInitLimiter;
import dev.meshctl.xds.server.XdsEvents;
import dev.meshctl.xds.server.XdsGrpcServer;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.deps.ConfigImpact;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import dev.meshctl.xds.validate.PgvValidator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real xDS frontend: the ADS server (Envoy sidecars through {@link SidecarGenerator}, proxyless
 * gRPC through {@link GrpcGenerator}, every resource checked by {@link PgvValidator}) served by
 * gRPC on the xDS port. Owns the push worker pool, whose size bounds how many proxies are being
 * pushed to at once. {@link #push} is called by the push thread; the rest by the owner.
 */
public final class AdsXdsFrontend implements XdsFrontend {
  private static final Logger log = LoggerFactory.getLogger(AdsXdsFrontend.class);

  /**
   * How hard the frontend may be pushed.
   *
   * @param pushThrottle push workers, i.e. proxies pushed to at once (Istio's {@code
   *     PILOT_PUSH_THROTTLE}); 0 picks one per core, at least two, since translation is CPU-bound
   * @param streamInitsPerSecond new streams served their first response per second once the burst
   *     is used (Istio's {@code PILOT_MAX_REQUESTS_PER_SECOND}); excess streams wait, never refused
   * @param streamInitBurst new streams that may start at once
   */
  public record Settings(int pushThrottle, double streamInitsPerSecond, int streamInitBurst) {
    /** Istio's 25 stream starts per second (a second's worth at once) and automatic workers. */
    public static final Settings DEFAULT = new Settings(0, 25, 25);

    public Settings {
      if (pushThrottle < 0) {
        throw new IllegalArgumentException(
            "push throttle must be 0 (automatic) or positive, got " + pushThrottle);
      }
      if (!(streamInitsPerSecond > 0) || Double.isInfinite(streamInitsPerSecond)) {
        throw new IllegalArgumentException(
            "max requests per second must be positive, got " + streamInitsPerSecond);
      }
      if (streamInitBurst < 1) {
        throw new IllegalArgumentException(
            "max requests burst must be at least 1, got " + streamInitBurst);
      }
    }

    /** The push worker count this setting gives. */
    int workers() {
      return pushThrottle > 0
          ? pushThrottle
          : Math.max(2, Runtime.getRuntime().availableProcessors());
    }
  }

  private final ExecutorService pushWorkers;
  private final ScheduledExecutorService initTimer;
  private final boolean ownsInitTimer;
  private final AdsServer ads;
  private final XdsGrpcServer grpc;

  /** The last context pushed; push thread only. */
  private TranslationContext previous;

  private AdsXdsFrontend(
      int port,
      Clock clock,
      Settings settings,
      Optional<ScheduledExecutorService> timer,
      XdsEvents events) {
    int workers = settings.workers();
    this.ownsInitTimer = timer.isEmpty();
    this.initTimer =
        timer.orElseGet(
            () ->
                Executors.newSingleThreadScheduledExecutor(
                    r -> {
                      Thread t = new Thread(r, "meshctl-xds-stream-start");
                      t.setDaemon(true);
                      return t;
                    }));
    AtomicInteger n = new AtomicInteger();
    this.pushWorkers =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "meshctl-xds-push-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.ads =
        new AdsServer(
            new MeshGenerator(new SidecarGenerator(), new GrpcGenerator()),
            new PgvValidator(),
            pushWorkers,
            clock,
            events,
            new StreamInitLimiter(
                settings.streamInitsPerSecond(),
                settings.streamInitBurst(),
                clock,
                StreamInitLimiter.Timer.of(initTimer)));
    try {
      this.grpc = XdsGrpcServer.start(port, ads);
    } catch (RuntimeException e) {
      pushWorkers.shutdownNow();
      if (ownsInitTimer) {
        initTimer.shutdownNow();
      }
      throw e;
    }
  }

  /** Starts frontends with {@link Settings#DEFAULT}. */
  public static XdsFrontend.Factory factory(Clock clock) {
    return factory(clock, Settings.DEFAULT);
  }

  /** Starts frontends with these settings. */
  public static XdsFrontend.Factory factory(Clock clock, Settings settings) {
    return (port, events) -> new AdsXdsFrontend(port, clock, settings, Optional.empty(), events);
  }

  /**
   * Starts frontends whose delayed stream starts run on {@code timer} (owned by the caller), e.g. a
   * fake scheduler driven by the same fake {@code clock} in tests.
   */
  public static XdsFrontend.Factory factory(
      Clock clock, Settings settings, ScheduledExecutorService timer) {
    return (port, events) -> new AdsXdsFrontend(port, clock, settings, Optional.of(timer), events);
  }

  @Override
  public void push(TranslationContext ctx) {
    ads.push(ctx);
    previous = ctx;
  }

  /**
   * Pushes {@code ctx}, regenerating only what {@link #scope} says the request's changes can alter.
   */
  @Override
  public void push(TranslationContext ctx, PushRequest request) {
    PushScope scope = pushScope(previous, ctx, request);
    previous = ctx;
    if (scope.isEmpty()) {
      log.info("event=push_skipped reason=no_proxy_affected keys={}", request.changedKeys().size());
    }
    // Even an empty scope makes the context current: new streams start from it.
    ads.push(ctx, scope);
  }

  /**
   * {@link #scope}, carrying the request's trigger time so every proxy reports its convergence
   * ({@code pilot_proxy_convergence_time}) from it.
   */
  static PushScope pushScope(
      TranslationContext before, TranslationContext ctx, PushRequest request) {
    PushScope scope = scope(before, ctx, request);
    return request.triggeredAt().map(scope::withTrigger).orElse(scope);
  }

  /**
   * What a push must regenerate, proxy by proxy:
   *
   * <ul>
   *   <li>Secrets: SDS of their subscribers (no translator but SDS reads them).
   *   <li>Endpoints (EndpointSlices, Pods, WorkloadEntries): EDS for every proxy (each is sent only
   *       what changed), every type for the proxies whose own service targets changed (their
   *       inbound side), and every type for the proxies that see a service whose identities (mTLS
   *       SANs) or headless endpoints (per-endpoint listeners) changed.
   *   <li>Config: every type but SDS for the proxies {@link ConfigImpact} says the change can reach
   *       (Sidecar scope, namespace, exportTo, gateways); a Service or ServiceEntry also re-scopes
   *       the inbound side of the proxies behind it.
   * </ul>
   *
   * The first push, a request without keys and a change that reaches everyone (mesh config,
   * PeerAuthentication, Namespace, Node) regenerate everything.
   */
  static PushScope scope(TranslationContext before, TranslationContext ctx, PushRequest request) {
    if (request.full() || before == null || request.changedKeys().isEmpty()) {
      return PushScope.ALL;
    }
    Set<NamespacedName> secrets = new TreeSet<>();
    boolean endpoints = false;
    boolean targets = false;
    List<ConfigKey> config = new ArrayList<>();
    for (ConfigKey key : request.changedKeys()) {
      switch (key.kind()) {
        case SECRET -> secrets.add(key.id());
        case ENDPOINT_SLICE, POD -> {
          endpoints = true;
          targets = true;
        }
        case WORKLOAD_ENTRY -> {
          endpoints = true;
          targets = true;
          config.add(key);
        }
        case SERVICE, SERVICE_ENTRY -> {
          targets = true;
          config.add(key);
        }
        default -> config.add(key);
      }
    }
    PushScope scope = PushScope.secrets(secrets);
    Set<String> hosts = Set.of();
    if (targets) {
      EndpointChanges changes = EndpointChanges.between(before.snapshot(), ctx.snapshot());
      hosts = changes.hostsBeyondEds();
      scope =
          scope.union(
              endpoints
                  ? PushScope.endpoints(changes.changedAddresses())
                  : new PushScope(Set.of(), changes.changedAddresses()));
    }
    if (!config.isEmpty() || !hosts.isEmpty()) {
      ConfigImpact impact = ConfigImpact.of(before.snapshot(), ctx.snapshot(), config, hosts);
      if (impact.everyone()) {
        return PushScope.ALL;
      }
      if (!impact.isEmpty()) {
        scope = scope.union(PushScope.config(impact::reaches));
      }
    }
    return scope;
  }

  @Override
  public int port() {
    return grpc.port();
  }

  @Override
  public Optional<AdsServer> adsServer() {
    return Optional.of(ads);
  }

  /** Every connected proxy's per-type sync state. Any thread. */
  @Override
  public List<ConnectionStatus> connections() {
    return ads.connections();
  }

  /** See {@link AdsServer#configDump}. Any thread. */
  @Override
  public Optional<ProxyConfigDump> configDump(String proxyId) {
    return ads.configDump(proxyId);
  }

  @Override
  public void close() {
    grpc.close();
    if (ownsInitTimer) {
      initTimer.shutdownNow();
    }
    pushWorkers.shutdown();
    try {
      if (!pushWorkers.awaitTermination(5, TimeUnit.SECONDS)) {
        pushWorkers.shutdownNow();
      }
    } catch (InterruptedException e) {
      pushWorkers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
