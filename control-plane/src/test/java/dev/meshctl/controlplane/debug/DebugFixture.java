package dev.meshctl.controlplane.debug;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.cli.Main;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link ControlPlane} (embedded Bookinfo sample, ephemeral ports) with an {@link
 * AdsTestClient} connected over gRPC as productpage's Envoy sidecar, plus helpers to read the debug
 * API over HTTP and to run {@code meshctl} commands against it. One per test; close it.
 */
final class DebugFixture implements AutoCloseable {
  static final String NODE_ID =
      "sidecar~10.244.1.10~productpage-v1-7d4f9c6b5-x2k8p.default~default.svc.cluster.local";
  static final String PROXY = "productpage-v1-7d4f9c6b5-x2k8p.default";
  static final ObjectMapper MAPPER = new ObjectMapper();

  final ControlPlane cp;
  final AdsTestClient envoy;
  private final ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  DebugFixture() throws IOException {
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(10), Duration.ofSeconds(1))),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC());
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    Node node =
        Node.newBuilder()
            .setId(NODE_ID)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("CLUSTER_ID", string("Kubernetes"))
                    .putFields("ISTIO_VERSION", string("1.24.0")))
            .build();
    envoy = new AdsTestClient(channel, node);
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /**
   * Plays Envoy's start-up for CDS, EDS (every EDS cluster) and LDS, ACKing each; RDS is not
   * requested. Returns the three responses by type.
   */
  Map<XdsType, DiscoveryResponse> syncWithoutRoutes() throws InvalidProtocolBufferException {
    Map<XdsType, DiscoveryResponse> out = new TreeMap<>();
    envoy.request(XdsType.CLUSTER, List.of());
    DiscoveryResponse cds = envoy.awaitResponse(0);
    envoy.ack(cds);
    Map<String, Message> clusters = new TreeMap<>();
    for (com.google.protobuf.Any any : cds.getResourcesList()) {
      Cluster c = any.unpack(Cluster.class);
      clusters.put(c.getName(), c);
    }
    envoy.request(XdsType.ENDPOINT, List.copyOf(XdsDump.edsNames(clusters)));
    DiscoveryResponse eds = envoy.awaitResponse(1);
    envoy.ack(eds);
    envoy.request(XdsType.LISTENER, List.of());
    DiscoveryResponse lds = envoy.awaitResponse(2);
    envoy.ack(lds);
    out.put(XdsType.CLUSTER, cds);
    out.put(XdsType.ENDPOINT, eds);
    out.put(XdsType.LISTENER, lds);
    return out;
  }

  /** Requests RDS for the listeners' route names and returns the response (not answered). */
  DiscoveryResponse requestRoutes() {
    envoy.request(XdsType.ROUTE, List.of("9080"));
    return envoy.awaitResponse(3);
  }

  String addr() {
    return "127.0.0.1:" + cp.monitoringPort();
  }

  /** An HTTP GET on the monitoring port. */
  HttpResponse<String> get(String path) {
    return send("GET", path);
  }

  /** Sends {@code method} (e.g. PUT) with an empty body to the debug API. */
  HttpResponse<String> send(String method, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://" + addr() + path))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonNode getJson(String path) {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
    }
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The outcome of one {@code meshctl} run. */
  record Run(int exitCode, String out, String err) {}

  static Run meshctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args,
            Map.of(),
            new PrintWriter(out),
            new PrintWriter(err),
            (settings, level, o, e) -> {
              throw new AssertionError("serve must not run");
            });
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code meshctl ARGS --addr <this control plane>}. */
  Run meshctlHere(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--addr");
    all.add(addr());
    return meshctl(all.toArray(String[]::new));
  }

  @Override
  public void close() throws InterruptedException {
    envoy.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    cp.close();
  }
}
