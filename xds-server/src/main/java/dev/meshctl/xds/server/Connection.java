package dev.meshctl.xds.server;

import com.google.common.util.concurrent.MoreExecutors;
import dev.meshctl.xds.proxy.InvalidNodeException;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import dev.meshctl.xds.server.ConnectionStatus.TypeStatus;
import dev.meshctl.xds.server.ResourceEncoder.GeneratedType;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SotW and delta ADS streams share: the node handshake, the per-connection serial executor,
 * nonces, sending, generation with error isolation, validation reporting, status publishing and
 * cleanup.
 *
 * <p>Threading: every request, push and close of one stream runs as a task on {@link #serial}, a
 * sequential executor over the server's push executor. Tasks of one stream therefore never overlap
 * and each sees the previous one's writes, so the fields below marked "serial" need no lock and
 * responses are never sent concurrently. Different streams run in parallel, bounded by the push
 * executor. Only {@link #pendingPush}, {@link #cancelled} and {@link #status} are touched from
 * other threads.
 */
abstract class Connection<Req, Resp> implements StreamObserver<Req> {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  protected final AdsServer server;
  private final ServerCallStreamObserver<Resp> out;
  private final Executor serial;
  private final NodeAuthorizer authorizer;
  private final XdsGenerator generator;

  /** The gRPC context of the stream's call, attached while {@link #authorizer} runs. */
  private final Context callContext;

  /**
   * The merged scope of the pushes queued and not yet run (null when none is queued), so a burst of
   * pushes costs one regeneration.
   */
  private final AtomicReference<PushScope> pendingPush = new AtomicReference<>();

  private volatile boolean cancelled;
  private volatile ConnectionStatus status;

  // serial: confined to tasks on `serial`.
  protected Proxy proxy;
  private String connectionId;
  private Instant connectedAt;
  private boolean closed;

  /**
   * False until the server's {@link StreamInitLimiter} grants this stream its start; requests
   * meanwhile wait in {@link #held} and pushes are skipped (the first response is generated from
   * the newest context anyway).
   */
  private boolean admitted;

  private final List<Req> held = new ArrayList<>();
  private long nonceCounter;
  private final Map<XdsType, Map<String, String>> reportedRejections = new EnumMap<>(XdsType.class);
  private final Set<String> unknownTypeUrls = new HashSet<>();
  private final Set<String> refusedSecrets = new HashSet<>();
  private final Optional<WorkloadCertificateSource> identities;

  /**
   * @param identities where identity secrets come from; empty when the stream's caller is not
   *     authenticated (they are then refused)
   */
  Connection(
      AdsServer server,
      StreamObserver<Resp> out,
      NodeAuthorizer authorizer,
      Optional<WorkloadCertificateSource> identities) {
    this.server = server;
    this.authorizer = authorizer;
    this.identities = identities;
    this.generator = new IdentitySecretGenerator(server.generator(), identities, this::refused);
    // Captured on the gRPC thread: requests are handled on the serial executor, where the call's
    // context (e.g. the caller an interceptor authenticated) is not current.
    this.callContext = Context.current();
    this.out = (ServerCallStreamObserver<Resp>) out;
    // Without a cancel handler grpc-java throws from onNext after a client cancel; with one we
    // learn of it and stop sending quietly.
    this.out.setOnCancelHandler(() -> cancelled = true);
    this.serial = MoreExecutors.newSequentialExecutor(server.pushExecutor());
  }

  /** The node of a request, or null when it carries none. */
  abstract Node nodeOf(Req request);

  /** Handles a request after the node handshake. Serial. */
  abstract void handle(Req request);

  /**
   * Regenerates every subscribed type the scope covers for this proxy against {@code context},
   * sending what changed. Returns whether the scope covered anything here. Serial.
   */
  abstract boolean push(TranslationContext context, PushScope scope);

  /** Every requested type's state, for {@link ConnectionStatus}. Serial. */
  abstract Map<XdsType, TypeStatus> typeStatuses();

  abstract boolean isDelta();

  @Override
  public final void onNext(Req request) {
    run(
        () -> {
          if (closed) {
            return;
          }
          if (proxy == null) {
            if (!connect(nodeOf(request))) {
              return;
            }
            held.add(request);
            server.initLimiter().acquire(() -> run(this::admit));
            return;
          }
          if (!admitted) {
            held.add(request);
            return;
          }
          handle(request);
        });
  }

  /** The limiter let this stream start: answers the requests that waited for it. Serial. */
  private void admit() {
    if (closed || admitted) {
      return;
    }
    admitted = true;
    List<Req> waiting = List.copyOf(held);
    held.clear();
    for (Req r : waiting) {
      if (closed) {
        return;
      }
      handle(r);
    }
  }

  @Override
  public final void onError(Throwable t) {
    run(() -> close(false));
  }

  @Override
  public final void onCompleted() {
    run(() -> close(true));
  }

  /** Queues a push, or widens the one already queued. Any thread. */
  final void schedulePush(PushScope scope) {
    PushScope before = pendingPush.getAndAccumulate(scope, (a, b) -> a == null ? b : a.union(b));
    if (before == null) {
      run(
          () -> {
            PushScope merged = pendingPush.getAndSet(null);
            // The newest context, not the one current when the push was asked for: a request task
            // may already have used a newer one, and a push must never go back in time.
            TranslationContext context = server.context();
            if (!closed && admitted && context != null && merged != null) {
              boolean covered = push(context, merged);
              // Only a proxy the push was for converges; the others were never behind.
              if (covered && merged.triggeredAt().isPresent() && !closed) {
                Duration took =
                    Duration.between(merged.triggeredAt().get(), server.clock().instant());
                server.events().converged(proxy, took.isNegative() ? Duration.ZERO : took);
              }
            }
          });
    }
  }

  /** The last published status, or null before the handshake and after close. Any thread. */
  final ConnectionStatus status() {
    return status;
  }

  private void run(Runnable task) {
    try {
      serial.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.error("ADS stream {}: unexpected error", connectionId, e);
            } finally {
              publishStatus();
            }
          });
    } catch (RejectedExecutionException e) {
      log.warn("ADS stream {}: push executor refused work (shutting down?)", connectionId);
    }
  }

  private boolean connect(Node node) {
    String message;
    String nodeId = node == null ? "" : node.getId();
    if (node == null) {
      message = "the first request on an ADS stream must carry a node";
    } else {
      try {
        Proxy parsed = ProxyParser.parse(node);
        Optional<String> denial = deny(parsed);
        if (denial.isPresent()) {
          return refuse(nodeId, Status.PERMISSION_DENIED, denial.get());
        }
        proxy = parsed;
        connectionId = nodeId + "-" + server.nextConnectionNumber();
        connectedAt = server.clock().instant();
        server.register(this);
        log.info("ADS {} stream {} connected", isDelta() ? "delta" : "SotW", connectionId);
        server.events().connected(proxy);
        return true;
      } catch (InvalidNodeException e) {
        message = e.getMessage();
      }
    }
    return refuse(nodeId, Status.INVALID_ARGUMENT, message);
  }

  private Optional<String> deny(Proxy parsed) {
    Context previous = callContext.attach();
    try {
      return authorizer.denial(parsed);
    } finally {
      callContext.detach(previous);
    }
  }

  private boolean refuse(String nodeId, Status status, String message) {
    log.warn("Rejected ADS stream: {}", message);
    closed = true;
    server.events().invalidNode(nodeId, message);
    if (!cancelled) {
      out.onError(status.withDescription(message).asRuntimeException());
    }
    return false;
  }

  private void close(boolean completeStream) {
    if (closed) {
      return;
    }
    closed = true;
    if (proxy != null) {
      server.unregister(this);
      log.info("ADS stream {} disconnected", connectionId);
      server.events().disconnected(proxy);
    }
    if (completeStream && !cancelled) {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        log.debug("ADS stream {}: completing failed", connectionId, e);
      }
    }
  }

  /** Sends a response; false (and the stream closed) when the stream is gone. Serial. */
  final boolean send(Resp response) {
    if (closed || cancelled) {
      return false;
    }
    try {
      out.onNext(response);
      return true;
    } catch (RuntimeException e) {
      log.info("ADS stream {}: send failed, closing: {}", connectionId, e.toString());
      close(false);
      return false;
    }
  }

  /** A fresh nonce: unique within this stream. Serial. */
  final String nextNonce() {
    return Long.toString(++nonceCounter);
  }

  /**
   * Generates one type; null when the generator failed, which is logged and reported but touches
   * nothing else (other types and other proxies go on). Serial.
   */
  final GeneratedType generate(TranslationContext context, XdsType type, Subscription sub) {
    GeneratedType generated;
    try {
      generated =
          ResourceEncoder.generate(generator, server.validator(), context, proxy, type, sub);
    } catch (RuntimeException e) {
      log.error("Generating {} for node {} failed", type.shortName(), proxy.nodeId(), e);
      server.events().generationFailed(proxy, type, e);
      return null;
    }
    reportRejections(type, generated.rejected());
    return generated;
  }

  /** Logs and reports each refused resource once per version, not on every push. */
  private void reportRejections(XdsType type, Map<String, EncodedResource> rejected) {
    Map<String, String> before = reportedRejections.getOrDefault(type, Map.of());
    Map<String, String> now = new TreeMap<>();
    rejected.forEach(
        (name, r) -> {
          now.put(name, r.version());
          if (!r.version().equals(before.get(name))) {
            List<Violation> violations = r.violations();
            log.warn(
                "Not sending {} {} to node {}: {}",
                type.shortName(),
                name,
                proxy.nodeId(),
                violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
            server.events().rejectedByValidation(proxy, type, name, violations);
          }
        });
    reportedRejections.put(type, now);
  }

  /** This stream's generator: the server's plus identity secrets (see {@link #identities}). */
  final XdsGenerator generator() {
    return generator;
  }

  /** The same generation without refusal logging, for config dumps from any thread. */
  final XdsGenerator quietGenerator() {
    return new IdentitySecretGenerator(
        server.generator(), identities, IdentitySecretGenerator.Refusals.IGNORE);
  }

  /** Logs a refused SDS name once per stream. Serial (generation runs on the stream's tasks). */
  private void refused(Proxy p, String name, String reason) {
    if (refusedSecrets.add(name)) {
      log.warn(
          "Refusing SDS secret \"{}\" to node {} (stream {}): {}",
          name,
          p.nodeId(),
          connectionId,
          reason);
    }
  }

  /** Logs an unknown type URL once per stream. Serial. */
  final void unknownType(String typeUrl) {
    if (unknownTypeUrls.add(typeUrl)) {
      log.info("ADS stream {}: ignoring unsupported type '{}'", connectionId, typeUrl);
    }
  }

  final void nacked(XdsType type, String version, String message) {
    log.warn(
        "ACK ERROR node={} connection={} type={} version={}: {}",
        proxy.nodeId(),
        connectionId,
        type.shortName(),
        version,
        message);
    server.events().nacked(proxy, type, version, message);
  }

  final void recordPush(XdsType type, long startMillis, int bytes, int resourceCount) {
    server.events().pushed(proxy, type, bytes, resourceCount);
    server.events().pushTimeMillis(proxy, type, server.clock().millis() - startMillis);
  }

  final String connectionId() {
    return connectionId;
  }

  private void publishStatus() {
    if (closed || proxy == null) {
      status = null;
      return;
    }
    status =
        new ConnectionStatus(
            proxy.nodeId(), connectionId, connectedAt, isDelta(), typeStatuses(), proxy);
  }
}
