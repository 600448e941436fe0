package dev.meshctl.xds.testing;

import com.google.rpc.Status;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A small ADS client for tests, on the raw Envoy stub: opens a state-of-the-world and/or a delta
 * stream, sends the node on each stream's first request as Envoy does, records every response, and
 * ACKs or NACKs on request. It never answers by itself, so a test decides exactly what the server
 * sees.
 *
 * <p>SotW: {@link #request} (initial, empty nonce), {@link #ack}, {@link #nack}; the client keeps
 * each type's current names and last accepted version so ACKs and NACKs carry them as Envoy would.
 * Delta: {@link #deltaRequest}, {@link #deltaAck}, {@link #deltaNack}. Read with {@link
 * #awaitResponse}/{@link #awaitDeltaResponse} (block until the n-th response, 0-based, arrives) and
 * {@link #responses}/{@link #deltaResponses}; a server-closed stream with {@link #awaitSotwClose}.
 *
 * <p>Thread-safe: responses arrive on gRPC threads, tests call from their own thread.
 */
public final class AdsTestClient implements AutoCloseable {
  /** How long await methods wait before failing the test. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub;
  private final Node node;

  // All guarded by `this`; waiters use wait/notifyAll on it.
  private final List<DiscoveryResponse> responses = new ArrayList<>();
  private final List<DeltaDiscoveryResponse> deltaResponses = new ArrayList<>();
  private final Map<String, List<String>> names = new HashMap<>();
  private final Map<String, String> acceptedVersions = new HashMap<>();
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;
  private io.grpc.Status sotwClose;
  private io.grpc.Status deltaClose;

  /**
   * A client for {@code node}; no stream is opened until the first request. A null node sends none,
   * to test how a server treats a stream without one.
   */
  public AdsTestClient(Channel channel, Node node) {
    this.stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    this.node = node;
  }

  /** A node with just an id, e.g. {@code sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local}. */
  public static Node node(String id) {
    return Node.newBuilder().setId(id).build();
  }

  // ---- state of the world ----

  /** Sends an initial request (empty nonce) for {@code type} with these names (none: wildcard). */
  public synchronized void request(XdsType type, Collection<String> resourceNames) {
    names.put(type.typeUrl(), List.copyOf(resourceNames));
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(acceptedVersions.getOrDefault(type.typeUrl(), ""))
            .addAllResourceNames(resourceNames)
            .build());
  }

  /** ACKs {@code response} with the type's current names. */
  public synchronized void ack(DiscoveryResponse response) {
    ack(response, names.getOrDefault(response.getTypeUrl(), List.of()));
  }

  /** ACKs {@code response} and changes the subscription to {@code resourceNames}. */
  public synchronized void ack(DiscoveryResponse response, Collection<String> resourceNames) {
    names.put(response.getTypeUrl(), List.copyOf(resourceNames));
    acceptedVersions.put(response.getTypeUrl(), response.getVersionInfo());
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(resourceNames)
            .build());
  }

  /** NACKs {@code response}: version_info stays the last accepted one, as Envoy sends it. */
  public synchronized void nack(DiscoveryResponse response, String errorMessage) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(acceptedVersions.getOrDefault(response.getTypeUrl(), ""))
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(names.getOrDefault(response.getTypeUrl(), List.of()))
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage(errorMessage))
            .build());
  }

  /** Sends any SotW request, adding the node if it is the stream's first. */
  public synchronized void send(DiscoveryRequest request) {
    if (sotw == null) {
      sotw = stub.streamAggregatedResources(new Recorder<>(responses, s -> sotwClose = s));
      if (node != null) {
        request = request.toBuilder().setNode(node).build();
      }
    }
    sotw.onNext(request);
  }

  /** Waits for the {@code index}-th (0-based) SotW response on this client and returns it. */
  public DiscoveryResponse awaitResponse(int index) {
    return await(
        () -> responses.size() > index ? responses.get(index) : null, "SotW response #" + index);
  }

  /** Every SotW response so far, oldest first. */
  public synchronized List<DiscoveryResponse> responses() {
    return List.copyOf(responses);
  }

  /** Waits until the server ends the SotW stream, and returns its status. */
  public io.grpc.Status awaitSotwClose() {
    return await(() -> sotwClose, "SotW stream close");
  }

  // ---- delta ----

  /**
   * Sends a delta request that changes the subscription of {@code type}; {@code initialVersions}
   * only matters on the type's first request.
   */
  public synchronized void deltaRequest(
      XdsType type,
      Collection<String> subscribe,
      Collection<String> unsubscribe,
      Map<String, String> initialVersions) {
    deltaSend(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .addAllResourceNamesSubscribe(subscribe)
            .addAllResourceNamesUnsubscribe(unsubscribe)
            .putAllInitialResourceVersions(initialVersions)
            .build());
  }

  /** ACKs a delta response. */
  public synchronized void deltaAck(DeltaDiscoveryResponse response) {
    deltaSend(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .build());
  }

  /** NACKs a delta response. */
  public synchronized void deltaNack(DeltaDiscoveryResponse response, String errorMessage) {
    deltaSend(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage(errorMessage))
            .build());
  }

  /** Sends any delta request, adding the node if it is the stream's first. */
  public synchronized void deltaSend(DeltaDiscoveryRequest request) {
    if (delta == null) {
      delta = stub.deltaAggregatedResources(new Recorder<>(deltaResponses, s -> deltaClose = s));
      if (node != null) {
        request = request.toBuilder().setNode(node).build();
      }
    }
    delta.onNext(request);
  }

  /** Waits for the {@code index}-th (0-based) delta response and returns it. */
  public DeltaDiscoveryResponse awaitDeltaResponse(int index) {
    return await(
        () -> deltaResponses.size() > index ? deltaResponses.get(index) : null,
        "delta response #" + index);
  }

  /** Every delta response so far, oldest first. */
  public synchronized List<DeltaDiscoveryResponse> deltaResponses() {
    return List.copyOf(deltaResponses);
  }

  /** Waits until the server ends the delta stream, and returns its status. */
  public io.grpc.Status awaitDeltaClose() {
    return await(() -> deltaClose, "delta stream close");
  }

  /**
   * Half-closes open streams; idempotent (a test may close a client its harness closes again,
   * before the server's completion has arrived).
   */
  @Override
  public synchronized void close() {
    if (sotw != null && sotwClose == null && !sotwHalfClosed) {
      sotwHalfClosed = true;
      sotw.onCompleted();
    }
    if (delta != null && deltaClose == null && !deltaHalfClosed) {
      deltaHalfClosed = true;
      delta.onCompleted();
    }
  }

  private boolean sotwHalfClosed;
  private boolean deltaHalfClosed;

  private synchronized <T> T await(Supplier<T> condition, String what) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T value;
    while ((value = condition.get()) == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out waiting for "
                + what
                + "; SotW responses: "
                + summary(responses)
                + ", delta responses: "
                + deltaResponses.size()
                + ", closes: "
                + sotwClose
                + " / "
                + deltaClose);
      }
      try {
        // Woken by every arrival; the timeout only bounds the total wait.
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
    return value;
  }

  private static String summary(List<DiscoveryResponse> rs) {
    List<String> out = new ArrayList<>();
    for (DiscoveryResponse r : rs) {
      out.add(r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1) + "@" + r.getNonce());
    }
    return out.toString();
  }

  /** Records responses and the close status into the client, under its lock. */
  private final class Recorder<T> implements StreamObserver<T> {
    private final List<T> sink;
    private final java.util.function.Consumer<io.grpc.Status> onClose;

    Recorder(List<T> sink, java.util.function.Consumer<io.grpc.Status> onClose) {
      this.sink = sink;
      this.onClose = onClose;
    }

    @Override
    public void onNext(T value) {
      synchronized (AdsTestClient.this) {
        sink.add(value);
        AdsTestClient.this.notifyAll();
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (AdsTestClient.this) {
        onClose.accept(io.grpc.Status.fromThrowable(t));
        AdsTestClient.this.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (AdsTestClient.this) {
        onClose.accept(io.grpc.Status.OK);
        AdsTestClient.this.notifyAll();
      }
    }
  }
}
