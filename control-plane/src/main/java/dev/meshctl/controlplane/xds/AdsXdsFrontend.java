package dev.meshctl.controlplane.xds;

import dev.meshctl.controlplane.XdsFrontend;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.EndpointChanges;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.server.ConnectionStatus;
import dev.meshctl.xds.server.ProxyConfigDump;
import dev.meshctl.xds.server.PushScope;
import dev.meshctl.xds.server.XdsEvents;
import dev.meshctl.xds.server.XdsGrpcServer;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import dev.meshctl.xds.validate.PgvValidator;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real xDS frontend: the ADS server (Envoy sidecars through {@link SidecarGenerator}, proxyless
 * gRPC through {@link GrpcGenerator}, every resource checked by {@link PgvValidator}) served by
 * gRPC on the xDS port. Owns the push worker pool, whose size bounds how many proxies are being
 * pushed to at once. {@link #push} is called by the push thread; the rest by the owner.
 */
public final class AdsXdsFrontend implements XdsFrontend {
  private final ExecutorService pushWorkers;
  private final AdsServer ads;
  private final XdsGrpcServer grpc;

  /** The last context pushed; push thread only. */
  private TranslationContext previous;

  private AdsXdsFrontend(int port, Clock clock, int workers, XdsEvents events) {
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
            events);
    try {
      this.grpc = XdsGrpcServer.start(port, ads);
    } catch (RuntimeException e) {
      pushWorkers.shutdownNow();
      throw e;
    }
  }

  /**
   * Starts frontends with one push worker per core (at least two): translation is CPU-bound, so
   * more workers than cores only add contention.
   */
  public static XdsFrontend.Factory factory(Clock clock) {
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    return (port, events) -> new AdsXdsFrontend(port, clock, workers, events);
  }

  @Override
  public void push(TranslationContext ctx) {
    ads.push(ctx);
    previous = ctx;
  }

  /**
   * An endpoint-only change is pushed as EDS for every proxy plus every type for the proxies whose
   * own service targets changed; a Secret change as SDS for its subscribers; a change to a headless
   * service's endpoints (one outbound listener per endpoint), to the service accounts behind a
   * service (mTLS clusters verify them) or anything else is a full push.
   */
  @Override
  public void push(TranslationContext ctx, PushRequest request) {
    ads.push(ctx, scope(previous, ctx, request));
    previous = ctx;
  }

  /**
   * What a push must regenerate: SDS of the subscribers of changed Secrets when only Secrets
   * changed (no translator but SDS reads them); EDS plus the affected proxies' other types for an
   * endpoint-only change; both for a mix of the two; else everything.
   */
  static PushScope scope(TranslationContext before, TranslationContext ctx, PushRequest request) {
    if (request.full() || before == null || request.changedKeys().isEmpty()) {
      return PushScope.ALL;
    }
    Set<NamespacedName> secrets = new TreeSet<>();
    boolean endpoints = false;
    for (ConfigKey key : request.changedKeys()) {
      if (key.kind() == ConfigKind.SECRET) {
        secrets.add(key.id());
      } else if (key.kind().endpointOnly()) {
        endpoints = true;
      } else {
        return PushScope.ALL;
      }
    }
    PushScope scope = PushScope.secrets(secrets);
    if (endpoints) {
      EndpointChanges changes = EndpointChanges.between(before.snapshot(), ctx.snapshot());
      if (changes.fullPushNeeded()) {
        return PushScope.ALL;
      }
      scope = scope.union(PushScope.endpoints(changes.changedAddresses()));
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
