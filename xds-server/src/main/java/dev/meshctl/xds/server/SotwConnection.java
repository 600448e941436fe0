package dev.meshctl.xds.server;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import dev.meshctl.xds.server.ConnectionStatus.Nack;
import dev.meshctl.xds.server.ConnectionStatus.TypeStatus;
import dev.meshctl.xds.server.ResourceEncoder.GeneratedType;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One state-of-the-world ADS stream ({@code StreamAggregatedResources}). See {@link AdsServer} for
 * the state machine; all methods run serially on the connection's executor (see {@link
 * Connection}).
 */
final class SotwConnection extends Connection<DiscoveryRequest, DiscoveryResponse> {

  /** Per-type state. Serial. */
  private static final class TypeState {
    Subscription subscription;
    String sentVersion = "";
    String sentNonce = "";
    String ackedVersion = "";
    String ackedNonce = "";
    Optional<Nack> lastNack = Optional.empty();

    /**
     * The context of the last generation with nothing refused: where the last good version of a
     * resource refused later is found. A reference to a shared context, not a per-stream copy of
     * the resources, so it costs nothing per connection.
     */
    TranslationContext lastClean;

    /** A request must be answered even if the version did not change (held until a context). */
    boolean mustRespond;

    TypeState(Subscription subscription) {
      this.subscription = subscription;
    }
  }

  private final Map<XdsType, TypeState> types = new EnumMap<>(XdsType.class);

  SotwConnection(
      AdsServer server,
      StreamObserver<DiscoveryResponse> out,
      NodeAuthorizer authorizer,
      Optional<WorkloadCertificateSource> identities) {
    super(server, out, authorizer, identities);
  }

  @Override
  Node nodeOf(DiscoveryRequest request) {
    return request.hasNode() ? request.getNode() : null;
  }

  @Override
  boolean isDelta() {
    return false;
  }

  @Override
  void handle(DiscoveryRequest request) {
    Optional<XdsType> maybeType = XdsType.fromTypeUrl(request.getTypeUrl());
    if (maybeType.isEmpty()) {
      unknownType(request.getTypeUrl());
      return;
    }
    XdsType type = maybeType.get();
    Subscription requested = subscription(type, request.getResourceNamesList());
    TypeState state = types.get(type);
    String nonce = request.getResponseNonce();
    if (nonce.isEmpty()) {
      // Initial request, or the client re-established its watch (e.g. after reconnecting): answer
      // even if the version is unchanged, because the client is waiting for a response.
      if (state == null) {
        state = new TypeState(requested);
        types.put(type, state);
      }
      state.subscription = requested;
      respond(type, state, server.context(), true);
      return;
    }
    if (state == null || !nonce.equals(state.sentNonce)) {
      // Answers a response the client had not seen our newer one yet: its ACK/NACK for the newer
      // one is on its way, so acting on this one would only cause an extra push.
      server.events().staleNonce(proxy, type);
      return;
    }
    boolean namesChanged = !requested.equals(state.subscription);
    state.subscription = requested;
    if (request.hasErrorDetail()) {
      // The rejected version is the one we sent with this nonce; the request's version_info is the
      // last one the client accepted. Never answered: the rejected version is only replaced by a
      // newly generated one, on a later push whose input differs.
      String message = request.getErrorDetail().getMessage();
      state.lastNack = Optional.of(new Nack(state.sentVersion, message));
      nacked(type, state.sentVersion, message);
      return;
    }
    state.ackedVersion = request.getVersionInfo();
    state.ackedNonce = nonce;
    server.events().acked(proxy, type, state.ackedVersion);
    if (namesChanged) {
      respond(type, state, server.context(), true);
    }
  }

  @Override
  boolean push(TranslationContext context, PushScope scope) {
    boolean covered = false;
    for (XdsType type : XdsType.values()) {
      TypeState state = types.get(type);
      if (state != null && (state.mustRespond || scope.covers(type, proxy, state.subscription))) {
        respond(type, state, context, state.mustRespond);
        covered = true;
      }
    }
    return covered;
  }

  /**
   * Generates the type and sends it if it differs from the last version sent on this stream, or if
   * {@code force}. Without a context yet, remembers that an answer is owed.
   */
  private void respond(XdsType type, TypeState state, TranslationContext context, boolean force) {
    if (context == null) {
      state.mustRespond |= force;
      return;
    }
    long start = server.clock().millis();
    GeneratedType generated = generate(context, type, state.subscription);
    if (generated == null) {
      return;
    }
    SortedMap<String, EncodedResource> resources = keepLastGood(type, state, generated);
    if (generated.rejected().isEmpty()) {
      state.lastClean = context;
    }
    String version =
        resources == generated.accepted()
            ? generated.version()
            : ResourceEncoder.setVersion(resources);
    if (!force && version.equals(state.sentVersion)) {
      return;
    }
    String nonce = nextNonce();
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(version)
            .setNonce(nonce);
    resources.values().forEach(r -> response.addResources(r.any()));
    DiscoveryResponse built = response.build();
    if (send(built)) {
      state.sentVersion = version;
      state.sentNonce = nonce;
      state.mustRespond = false;
      recordPush(type, start, built.getSerializedSize(), built.getResourcesCount());
    }
  }

  /**
   * The accepted resources plus, for each refused one, its version from the last generation that
   * had nothing refused. A state-of-the-world response replaces the whole set for wildcard types
   * (CDS, LDS): leaving a refused cluster out would make Envoy delete the good one it already runs,
   * so the proxy keeps its last good config for that resource instead. A refused resource with no
   * good version is left out. Returns {@code generated.accepted()} itself when nothing was
   * substituted. Regenerating from the older context only happens while something is refused.
   */
  private SortedMap<String, EncodedResource> keepLastGood(
      XdsType type, TypeState state, GeneratedType generated) {
    if (generated.rejected().isEmpty() || state.lastClean == null) {
      return generated.accepted();
    }
    GeneratedType good;
    try {
      good =
          ResourceEncoder.generate(
              generator(), server.validator(), state.lastClean, proxy, type, state.subscription);
    } catch (RuntimeException e) {
      return generated.accepted();
    }
    SortedMap<String, EncodedResource> merged = new TreeMap<>(generated.accepted());
    for (String name : generated.rejected().keySet()) {
      EncodedResource previous = good.accepted().get(name);
      if (previous != null) {
        merged.put(name, previous);
      }
    }
    return merged.size() == generated.accepted().size()
        ? generated.accepted()
        : Collections.unmodifiableSortedMap(merged);
  }

  /**
   * No names on a CDS or LDS request, or the name {@code *}, means everything (xDS wildcard);
   * otherwise exactly the names listed.
   */
  static Subscription subscription(XdsType type, List<String> names) {
    if ((names.isEmpty() && type.wildcardByDefault()) || names.contains("*")) {
      return Subscription.WILDCARD;
    }
    // Sidecars of one namespace ask for the same thousand names: one shared set instead of a copy
    // per connection (it was most of the heap per connected proxy, docs/benchmarks.md).
    return SUBSCRIPTIONS.intern(Subscription.names(new HashSet<>(names)));
  }

  /** Equal subscriptions of all streams, shared; entries go when no stream holds them. */
  private static final Interner<Subscription> SUBSCRIPTIONS = Interners.newWeakInterner();

  @Override
  Map<XdsType, TypeStatus> typeStatuses() {
    Map<XdsType, TypeStatus> out = new EnumMap<>(XdsType.class);
    types.forEach(
        (type, s) ->
            out.put(
                type,
                new TypeStatus(
                    s.subscription,
                    s.sentVersion,
                    s.sentNonce,
                    s.ackedVersion,
                    s.lastNack,
                    s.ackedNonce)));
    return out;
  }
}
