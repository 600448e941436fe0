package dev.meshctl.bench;

import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A light state-of-the-world ADS client that behaves like an Envoy sidecar for benchmarking: sends
 * CDS and LDS wildcard requests (node on the first), ACKs every response, and requests EDS for the
 * EDS clusters and RDS for the route configs the latest CDS/LDS responses reference. It keeps only
 * counters, the last version/nonce/names per type and the time of the last ACK, never the
 * responses.
 *
 * <p>Names referenced by a response are cached per (type, version) across all clients of the JVM:
 * versions are content hashes, so equal versions reference equal names, and a fleet of a thousand
 * clients parses each distinct CDS/LDS response once instead of a thousand times, keeping client
 * CPU out of the server's measurements.
 *
 * <p>Thread-safety: responses arrive on a gRPC thread; readers ({@link #converged}, {@link #stats})
 * may call from any thread. All state is guarded by {@code this}.
 */
public final class AckingAdsClient implements StreamObserver<DiscoveryResponse> {
  /**
   * The four types of a sidecar's config (CDS, EDS, LDS, RDS: the first ordinals). SDS, last, is
   * not benchmarked: sidecars get their certificates from istio-agent, not over this stream.
   */
  private static final int TYPES = XdsType.SECRET.ordinal();

  private static final Map<String, List<String>> REFERENCED = new ConcurrentHashMap<>();

  /** Told once when the client first holds and has ACKed all four types. */
  interface Watcher {
    void converged(AckingAdsClient client);

    void edsUpdated(AckingAdsClient client);
  }

  private final Node node;
  private final AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub;
  private final Watcher listener;

  // Guarded by this.
  private StreamObserver<DiscoveryRequest> requests;
  private final int[] responses = new int[TYPES];
  private final String[] versions = new String[TYPES];
  private final String[] nonces = new String[TYPES];
  private final List<?>[] names = new List<?>[TYPES];
  private final boolean[] awaitingNames = new boolean[TYPES];
  private final long[] lastAckNanos = new long[TYPES];
  private long bytes;
  private long convergedNanos;
  private int edsBaseline = -1;
  private long edsUpdatedNanos;
  private String error;

  AckingAdsClient(Channel channel, Node node, Watcher listener) {
    this.stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    this.node = node;
    this.listener = listener;
    for (int i = 0; i < TYPES; i++) {
      versions[i] = "";
      nonces[i] = "";
      names[i] = List.of();
    }
  }

  /** Opens the stream and sends the CDS and LDS wildcard requests. */
  synchronized void start() {
    requests = stub.streamAggregatedResources(this);
    requests.onNext(
        DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(XdsType.CLUSTER.typeUrl()).build());
    requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(XdsType.LISTENER.typeUrl()).build());
  }

  @Override
  public void onNext(DiscoveryResponse response) {
    boolean becameConverged;
    boolean edsUpdated;
    synchronized (this) {
      Optional<XdsType> maybe = XdsType.fromTypeUrl(response.getTypeUrl());
      if (maybe.isEmpty() || maybe.get().ordinal() >= TYPES) {
        return;
      }
      int t = maybe.get().ordinal();
      boolean wasConverged = convergedNanos != 0;
      responses[t]++;
      bytes += response.getSerializedSize();
      versions[t] = response.getVersionInfo();
      nonces[t] = response.getNonce();
      awaitingNames[t] = false;
      send(XdsType.values()[t]);
      lastAckNanos[t] = System.nanoTime();
      if (t == XdsType.CLUSTER.ordinal()) {
        follow(XdsType.ENDPOINT, referenced(response, XdsType.CLUSTER));
      } else if (t == XdsType.LISTENER.ordinal()) {
        follow(XdsType.ROUTE, referenced(response, XdsType.LISTENER));
      }
      becameConverged = !wasConverged && isConverged();
      if (becameConverged) {
        convergedNanos = max(lastAckNanos);
      }
      edsUpdated =
          t == XdsType.ENDPOINT.ordinal() && edsBaseline >= 0 && responses[t] > edsBaseline;
      if (edsUpdated) {
        edsBaseline = -1;
        edsUpdatedNanos = lastAckNanos[t];
      }
    }
    // Outside the lock: listeners may take their own locks.
    if (becameConverged) {
      listener.converged(this);
    }
    if (edsUpdated) {
      listener.edsUpdated(this);
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    error = t.toString();
  }

  @Override
  public synchronized void onCompleted() {
    error = "server completed the stream";
  }

  /** Arms the EDS watch: {@link Watcher#edsUpdated} fires on the next EDS response. */
  synchronized void expectEdsUpdate() {
    edsBaseline = responses[XdsType.ENDPOINT.ordinal()];
  }

  /** Half-closes the stream, as a proxy shutting down would. */
  synchronized void close() {
    if (requests != null && error == null) {
      requests.onCompleted();
    }
  }

  String nodeId() {
    return node.getId();
  }

  /** A consistent copy of the counters. */
  synchronized ClientStats stats() {
    return new ClientStats(
        responses.clone(), bytes, convergedNanos, edsUpdatedNanos, error == null ? "" : error);
  }

  /**
   * What one client saw.
   *
   * @param responses responses received per {@link XdsType} ordinal
   * @param bytes serialized size of every response received
   * @param convergedNanos {@code System.nanoTime()} of the ACK that completed the first full
   *     config, 0 if never
   * @param edsUpdatedNanos when the ACK of the awaited EDS update was sent, 0 if never
   * @param error why the stream ended, or {@code ""}
   */
  record ClientStats(
      int[] responses, long bytes, long convergedNanos, long edsUpdatedNanos, String error) {}

  /** All four types received and ACKed, with EDS/RDS covering the names last referenced. */
  private boolean isConverged() {
    for (int t = 0; t < TYPES; t++) {
      if (responses[t] == 0 || awaitingNames[t]) {
        return false;
      }
    }
    return true;
  }

  /** Subscribes {@code type} to {@code wanted} unless that is already the subscription. */
  private void follow(XdsType type, List<String> wanted) {
    int t = type.ordinal();
    if (responses[t] > 0 || awaitingNames[t]) {
      if (wanted.equals(names[t])) {
        return;
      }
    }
    names[t] = wanted;
    awaitingNames[t] = true;
    send(type);
  }

  /** A request (ACK or subscription change) carrying the type's current version, nonce, names. */
  private void send(XdsType type) {
    int t = type.ordinal();
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(versions[t])
            .setResponseNonce(nonces[t]);
    for (Object n : names[t]) {
      r.addResourceNames((String) n);
    }
    requests.onNext(r.build());
  }

  private static List<String> referenced(DiscoveryResponse response, XdsType type) {
    return REFERENCED.computeIfAbsent(
        type.shortName() + "\0" + response.getVersionInfo(),
        k ->
            type == XdsType.CLUSTER
                ? ReferencedNames.edsNames(
                    ReferencedNames.unpack(response.getResourcesList(), Cluster.class))
                : ReferencedNames.rdsNames(
                    ReferencedNames.unpack(response.getResourcesList(), Listener.class)));
  }

  private static long max(long[] values) {
    long m = Long.MIN_VALUE;
    for (long v : values) {
      m = Math.max(m, v);
    }
    return m;
  }
}
