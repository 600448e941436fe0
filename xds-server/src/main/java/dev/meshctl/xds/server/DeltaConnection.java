package dev.meshctl.xds.server;

import dev.meshctl.xds.server.ConnectionStatus.Nack;
import dev.meshctl.xds.server.ConnectionStatus.TypeStatus;
import dev.meshctl.xds.server.ResourceEncoder.GeneratedType;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One incremental ADS stream ({@code DeltaAggregatedResources}). See {@link AdsServer} for the
 * state machine; all methods run serially on the connection's executor (see {@link Connection}).
 */
final class DeltaConnection extends Connection<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {

  /** Per-type state. Serial. */
  private static final class TypeState {
    boolean wildcard;
    final SortedSet<String> names = new TreeSet<>();

    /**
     * What the client holds, name to version: seeded from initial_resource_versions, updated by
     * every response (including ones later NACKed, so a rejected resource is not resent until it
     * changes), cleared of unsubscribed names.
     */
    final SortedMap<String, String> clientHas = new TreeMap<>();

    String sentVersion = "";
    String sentNonce = "";
    String ackedVersion = "";
    String ackedNonce = "";
    Optional<Nack> lastNack = Optional.empty();

    /** The first request must be answered even when there is nothing to send. */
    boolean mustRespond;

    /** Names subscribed since the last response: ones that do not exist are reported removed. */
    final SortedSet<String> newlySubscribed = new TreeSet<>();

    Subscription subscription() {
      return wildcard ? Subscription.WILDCARD : Subscription.names(names);
    }
  }

  private final Map<XdsType, TypeState> types = new EnumMap<>(XdsType.class);

  DeltaConnection(
      AdsServer server,
      StreamObserver<DeltaDiscoveryResponse> out,
      NodeAuthorizer authorizer,
      Optional<WorkloadCertificateSource> identities) {
    super(server, out, authorizer, identities);
  }

  @Override
  Node nodeOf(DeltaDiscoveryRequest request) {
    return request.hasNode() ? request.getNode() : null;
  }

  @Override
  boolean isDelta() {
    return true;
  }

  @Override
  void handle(DeltaDiscoveryRequest request) {
    Optional<XdsType> maybeType = XdsType.fromTypeUrl(request.getTypeUrl());
    if (maybeType.isEmpty()) {
      unknownType(request.getTypeUrl());
      return;
    }
    XdsType type = maybeType.get();
    TypeState state = types.get(type);
    boolean first = state == null;
    if (first) {
      state = new TypeState();
      types.put(type, state);
      state.clientHas.putAll(request.getInitialResourceVersionsMap());
      state.wildcard = type.wildcardByDefault() && request.getResourceNamesSubscribeCount() == 0;
      state.mustRespond = true;
    }
    boolean subscribedMore = false;
    for (String name : request.getResourceNamesSubscribeList()) {
      if (name.equals("*")) {
        subscribedMore |= !state.wildcard;
        state.wildcard = true;
      } else if (state.names.add(name)) {
        subscribedMore = true;
        state.newlySubscribed.add(name);
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (name.equals("*")) {
        state.wildcard = false;
      } else {
        state.names.remove(name);
        state.newlySubscribed.remove(name);
        // The client drops an unsubscribed resource itself; no removal is owed for it.
        if (!state.wildcard) {
          state.clientHas.remove(name);
        }
      }
    }
    // Subscription changes are applied whatever the nonce: in delta each request carries only a
    // change, so ignoring a "stale" one would lose it. The nonce only decides ACK/NACK.
    String nonce = request.getResponseNonce();
    if (!nonce.isEmpty()) {
      if (!nonce.equals(state.sentNonce)) {
        server.events().staleNonce(proxy, type);
      } else if (request.hasErrorDetail()) {
        String message = request.getErrorDetail().getMessage();
        state.lastNack = Optional.of(new Nack(state.sentVersion, message));
        nacked(type, state.sentVersion, message);
      } else {
        state.ackedVersion = state.sentVersion;
        state.ackedNonce = nonce;
        server.events().acked(proxy, type, state.ackedVersion);
      }
    }
    if (first || subscribedMore) {
      respond(type, state, server.context(), first);
    }
  }

  @Override
  boolean push(TranslationContext context, PushScope scope) {
    boolean covered = false;
    for (XdsType type : XdsType.values()) {
      TypeState state = types.get(type);
      if (state != null && (state.mustRespond || scope.covers(type, proxy, state.subscription()))) {
        respond(type, state, context, state.mustRespond);
        covered = true;
      }
    }
    return covered;
  }

  /**
   * Sends what the client lacks: resources whose version differs from what it holds, and removals
   * for resources it holds that no longer exist (plus newly subscribed names that do not exist).
   * Sends nothing when there is no difference, unless {@code force}.
   */
  private void respond(XdsType type, TypeState state, TranslationContext context, boolean force) {
    if (context == null) {
      state.mustRespond |= force;
      return;
    }
    long start = server.clock().millis();
    GeneratedType generated = generate(context, type, state.subscription());
    if (generated == null) {
      return;
    }
    DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder();
    generated
        .accepted()
        .forEach(
            (name, r) -> {
              if (!r.version().equals(state.clientHas.get(name))) {
                response.addResources(
                    Resource.newBuilder()
                        .setName(name)
                        .setVersion(r.version())
                        .setResource(r.any()));
              }
            });
    SortedSet<String> removed = new TreeSet<>();
    for (String name : state.clientHas.keySet()) {
      // A refused resource is kept at the client's older version rather than removed: removing a
      // cluster because its update was invalid would break traffic that works today.
      if (!generated.accepted().containsKey(name) && !generated.rejected().containsKey(name)) {
        removed.add(name);
      }
    }
    for (String name : state.newlySubscribed) {
      if (!generated.accepted().containsKey(name) && !generated.rejected().containsKey(name)) {
        removed.add(name);
      }
    }
    if (!force && response.getResourcesCount() == 0 && removed.isEmpty()) {
      return;
    }
    String nonce = nextNonce();
    DeltaDiscoveryResponse built =
        response
            .setTypeUrl(type.typeUrl())
            .setSystemVersionInfo(generated.version())
            .setNonce(nonce)
            .addAllRemovedResources(removed)
            .build();
    if (send(built)) {
      for (Resource r : built.getResourcesList()) {
        state.clientHas.put(r.getName(), r.getVersion());
      }
      removed.forEach(state.clientHas::remove);
      state.newlySubscribed.clear();
      state.sentVersion = generated.version();
      state.sentNonce = nonce;
      state.mustRespond = false;
      recordPush(type, start, built.getSerializedSize(), built.getResourcesCount());
    }
  }

  @Override
  Map<XdsType, TypeStatus> typeStatuses() {
    Map<XdsType, TypeStatus> out = new EnumMap<>(XdsType.class);
    types.forEach(
        (type, s) ->
            out.put(
                type,
                new TypeStatus(
                    s.subscription(),
                    s.sentVersion,
                    s.sentNonce,
                    s.ackedVersion,
                    s.lastNack,
                    s.ackedNonce)));
    return out;
  }
}
