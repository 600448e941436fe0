package dev.meshctl.xds.server;

import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.validate.ResourceValidator;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Aggregated Discovery Service: serves CDS, EDS, LDS, RDS and SDS to Envoy sidecars, gateways
 * and proxyless gRPC over state-of-the-world ({@code StreamAggregatedResources}) and incremental
 * ({@code DeltaAggregatedResources}) streams, implemented directly on grpc-java. See the <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol">xDS protocol</a>.
 *
 * <h2>State machine (per stream, per type)</h2>
 *
 * <ul>
 *   <li><b>Handshake.</b> The first request must carry a {@code Node}, parsed by {@code
 *       ProxyParser}; a missing or invalid node closes the stream with {@code INVALID_ARGUMENT} and
 *       the parser's message. On a service made by {@link #withNodeAuthorizer} the parsed node is
 *       then checked, and a denied one closes the stream with {@code PERMISSION_DENIED} and the
 *       authorizer's reason. Later requests' nodes are ignored. Unknown type URLs are logged once
 *       per stream and ignored.
 *   <li><b>Versions.</b> A resource's version is a hash of its deterministic serialization; a
 *       response's {@code version_info} hashes the sorted (name, version) pairs. The same input
 *       gives byte-identical resources and identical versions in any process. Nonces are a counter
 *       per stream.
 *   <li><b>SotW requests.</b> Empty {@code response_nonce}: initial request or reconnect, always
 *       answered. A nonce other than the last one sent for the type: stale, ignored. Matching nonce
 *       without {@code error_detail}: ACK (acked version recorded); if the names changed it is a
 *       re-subscription and is answered with the new set. Matching nonce with {@code error_detail}:
 *       NACK, recorded as (rejected version, message), logged at WARN ({@code ACK ERROR}) and
 *       reported; never answered. No names on CDS/LDS, or the name {@code *}, is a wildcard.
 *   <li><b>SotW pushes.</b> A type is sent only when its generated version differs from the last
 *       one <em>sent</em> on the stream, so unchanged config is not pushed and a NACKed version is
 *       never resent: only a differently generated version (changed input) is.
 *   <li><b>Delta.</b> The server tracks, per type, the names subscribed (wildcard when the first
 *       CDS/LDS request subscribes nothing, or on {@code *}) and which version of each resource the
 *       client holds (seeded from {@code initial_resource_versions}). Responses carry only added or
 *       changed resources, and {@code removed_resources} for held resources that no longer exist
 *       and newly subscribed names that do not exist. Unsubscribed names are forgotten without a
 *       removal. Subscription changes apply whatever the nonce; ACK/NACK is decided by the nonce as
 *       in SotW. A NACKed resource is resent only once it changes.
 *   <li><b>Validation.</b> Every distinct generated resource is encoded, hashed and validated once
 *       per {@link TranslationContext} (memoised in the context). A refused resource is left out of
 *       responses (SotW: dropped from the set; delta: neither sent nor removed, so the client keeps
 *       its older version) and logged/reported once per connection and version.
 *   <li><b>Secrets.</b> SDS is asked for by name (a wildcard gets nothing). {@code
 *       kubernetes://<name>} comes from the proxy's own namespace only; {@code default} and {@code
 *       ROOTCA} only on streams made by {@link #withNodeAuthorizer(NodeAuthorizer,
 *       WorkloadCertificateSource)}. A refused name is logged once per stream and left out, like a
 *       missing one; the stream goes on.
 *   <li><b>Before the first context.</b> Requests are held: their subscriptions are recorded and
 *       answered when the first {@link #push} arrives.
 * </ul>
 *
 * <h2>Threading</h2>
 *
 * <p>Each stream owns a sequential executor layered on {@code pushExecutor}: gRPC callbacks
 * (requests, cancel) and pushes for that stream are queued on it, so one stream's state is touched
 * by one task at a time and its responses are never sent concurrently, with no lock. Streams run in
 * parallel up to the executor's threads, which therefore bound concurrent pushes (Istio's {@code
 * PILOT_PUSH_THROTTLE}); a new stream's first request waits for a slot of the {@link
 * StreamInitLimiter} (Istio's {@code PILOT_MAX_REQUESTS_PER_SECOND}) off the executor, so a burst
 * of reconnecting proxies cannot starve pushes to those already connected. A push carrying a
 * trigger time ({@link PushScope#triggeredAt}) is reported as {@link XdsEvents#converged} once the
 * stream has sent it; generation errors for one proxy are logged, reported and contained. A push
 * queued while an earlier one waits is merged into it and regenerates from the newest context.
 * {@link #push} may be called from one thread (the push loop) and returns at once; {@link
 * #connections} from any thread. Outbound flow control is left to gRPC's buffering.
 */
public final class AdsServer
    extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
  private final XdsGenerator generator;
  private final ResourceValidator validator;
  private final Executor pushExecutor;
  private final Clock clock;
  private final XdsEvents events;
  private final StreamInitLimiter initLimiter;

  private final Set<Connection<?, ?>> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionNumbers = new AtomicLong();
  private volatile TranslationContext context;

  /**
   * @param generator builds each proxy's resources
   * @param validator refuses resources Envoy would reject
   * @param pushExecutor runs request handling and pushes; its parallelism bounds concurrent pushes
   * @param clock for connection times and push durations
   * @param events where serving is reported (metrics, status)
   */
  public AdsServer(
      XdsGenerator generator,
      ResourceValidator validator,
      Executor pushExecutor,
      Clock clock,
      XdsEvents events) {
    this(generator, validator, pushExecutor, clock, events, StreamInitLimiter.UNLIMITED);
  }

  /**
   * Like {@link #AdsServer(XdsGenerator, ResourceValidator, Executor, Clock, XdsEvents)}, with new
   * streams' first responses paced by {@code initLimiter} (Istio's {@code
   * PILOT_MAX_REQUESTS_PER_SECOND}): a stream waiting for its slot is connected but not yet
   * answered, and takes no push worker while it waits.
   */
  public AdsServer(
      XdsGenerator generator,
      ResourceValidator validator,
      Executor pushExecutor,
      Clock clock,
      XdsEvents events,
      StreamInitLimiter initLimiter) {
    this.initLimiter = Objects.requireNonNull(initLimiter, "initLimiter");
    this.generator = Objects.requireNonNull(generator, "generator");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.pushExecutor = Objects.requireNonNull(pushExecutor, "pushExecutor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.events = Objects.requireNonNull(events, "events");
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responseObserver) {
    return new SotwConnection(this, responseObserver, NodeAuthorizer.ALLOW_ALL, Optional.empty());
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responseObserver) {
    return new DeltaConnection(this, responseObserver, NodeAuthorizer.ALLOW_ALL, Optional.empty());
  }

  /**
   * This same server (same connections, contexts and pushes) as a second gRPC service whose streams
   * are refused with {@code PERMISSION_DENIED} when {@code authorizer} denies their node, e.g. for
   * the secure xDS port next to the plaintext one. This server itself stays unchecked.
   */
  public AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase withNodeAuthorizer(
      NodeAuthorizer authorizer) {
    return authenticated(authorizer, Optional.empty());
  }

  /**
   * Like {@link #withNodeAuthorizer(NodeAuthorizer)}, for a port whose callers are authenticated
   * and whose nodes {@code authorizer} checks against them: its streams are also served the
   * workload identity secrets {@code default} and {@code ROOTCA} from {@code identities}. Streams
   * of this server itself (the plaintext port) are refused those secrets, with a log line.
   */
  public AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase withNodeAuthorizer(
      NodeAuthorizer authorizer, WorkloadCertificateSource identities) {
    return authenticated(authorizer, Optional.of(Objects.requireNonNull(identities, "identities")));
  }

  private AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase authenticated(
      NodeAuthorizer authorizer, Optional<WorkloadCertificateSource> identities) {
    Objects.requireNonNull(authorizer, "authorizer");
    AdsServer self = this;
    return new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
      @Override
      public StreamObserver<DiscoveryRequest> streamAggregatedResources(
          StreamObserver<DiscoveryResponse> responseObserver) {
        return new SotwConnection(self, responseObserver, authorizer, identities);
      }

      @Override
      public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
          StreamObserver<DeltaDiscoveryResponse> responseObserver) {
        return new DeltaConnection(self, responseObserver, authorizer, identities);
      }
    };
  }

  /**
   * Makes {@code context} current and queues a push to every connected stream, which regenerates
   * each subscribed type (CDS, EDS, LDS, RDS in that order) and sends only what changed. New
   * streams are served from the newest context. Returns without waiting. Called by the push loop.
   */
  public void push(TranslationContext context) {
    push(context, PushScope.ALL);
  }

  /**
   * Like {@link #push(TranslationContext)}, but regenerates only what {@code scope} covers (EDS for
   * an endpoint-only change, plus every type for proxies whose own endpoints changed). The caller
   * guarantees that what the scope leaves out is unchanged between the previous context and this
   * one. Pushes queued on a stream and not yet run are merged, scopes united.
   */
  public void push(TranslationContext context, PushScope scope) {
    Objects.requireNonNull(scope, "scope");
    // Written before the connections are read, and read by a connection after it registers: a
    // stream that registers concurrently either is in the set below or sees this context.
    this.context = Objects.requireNonNull(context, "context");
    if (scope.isEmpty()) {
      return; // nothing any stream holds can differ; new streams start from this context
    }
    for (Connection<?, ?> c : connections) {
      c.schedulePush(scope);
    }
  }

  /**
   * Regenerates {@code scope} for every connected stream from the current context, without a new
   * one: for input outside the snapshot, such as workload certificates renewed by their source.
   * Only what changed is sent. Any thread; returns at once.
   */
  public void refresh(PushScope scope) {
    Objects.requireNonNull(scope, "scope");
    for (Connection<?, ?> c : connections) {
      c.schedulePush(scope);
    }
  }

  /**
   * Every connected stream's status (node, connection, subscriptions, sent/acked versions, last
   * NACK), ordered by node id then connection id. Any thread; each entry is a consistent snapshot
   * of its stream, published after the stream's last request or push.
   */
  public List<ConnectionStatus> connections() {
    List<ConnectionStatus> out = new ArrayList<>();
    for (Connection<?, ?> c : connections) {
      ConnectionStatus s = c.status();
      if (s != null) {
        out.add(s);
      }
    }
    out.sort(CONNECTION_ORDER);
    return List.copyOf(out);
  }

  private static final Comparator<ConnectionStatus> CONNECTION_ORDER =
      Comparator.comparing(ConnectionStatus::nodeId).thenComparing(ConnectionStatus::connectionId);

  /**
   * What a connected proxy would be served now: its subscribed types regenerated from the current
   * context (see {@link ProxyConfigDump}); nothing is sent. The proxy is found by its full node id
   * or by its Istio proxy id ({@code POD.NAMESPACE}); with several streams for one proxy, the first
   * in {@link #connections()} order. Empty when no such proxy is connected. Any thread.
   */
  public Optional<ProxyConfigDump> configDump(String nodeIdOrProxyId) {
    Objects.requireNonNull(nodeIdOrProxyId, "nodeIdOrProxyId");
    ConnectionStatus best = null;
    Connection<?, ?> bestConnection = null;
    for (Connection<?, ?> c : connections) {
      ConnectionStatus s = c.status();
      if (s != null
          && (s.nodeId().equals(nodeIdOrProxyId) || s.proxy().id().equals(nodeIdOrProxyId))
          && (best == null || CONNECTION_ORDER.compare(s, best) < 0)) {
        best = s;
        bestConnection = c;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(
        ConfigDumper.dump(bestConnection.quietGenerator(), validator, context, best));
  }

  TranslationContext context() {
    return context;
  }

  XdsGenerator generator() {
    return generator;
  }

  ResourceValidator validator() {
    return validator;
  }

  Executor pushExecutor() {
    return pushExecutor;
  }

  Clock clock() {
    return clock;
  }

  XdsEvents events() {
    return events;
  }

  StreamInitLimiter initLimiter() {
    return initLimiter;
  }

  long nextConnectionNumber() {
    return connectionNumbers.incrementAndGet();
  }

  void register(Connection<?, ?> connection) {
    connections.add(connection);
  }

  void unregister(Connection<?, ?> connection) {
    connections.remove(connection);
  }
}
