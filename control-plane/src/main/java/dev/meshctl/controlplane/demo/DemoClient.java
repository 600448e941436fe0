package dev.meshctl.controlplane.demo;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.xds.XdsNameResolverProvider;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's proxyless gRPC client: a grpc-java xDS channel whose bootstrap (as istio-agent would
 * write it) points at our control plane, dialling {@code xds:///<host>:<port>}, and sending every
 * call with fixed headers. Routing, subsets and weights are all decided by grpc-java from what the
 * control plane pushes. Each client carries its own bootstrap through its own resolver scheme, so
 * several clients (and tests) can share a JVM. Any thread may {@link #call()}.
 */
public final class DemoClient implements AutoCloseable {
  /** Namespace of the client's node: the VirtualService's short hosts resolve in it. */
  public static final String NAMESPACE = "demo";

  /**
   * A call's deadline. Generous because the first call also waits for the client's first xDS
   * config, which a cold JVM on a busy machine has taken more than 5 s to fetch and apply.
   */
  static final int CALL_DEADLINE_SECONDS = 20;

  private static final AtomicInteger SCHEMES = new AtomicInteger();

  private final String target;
  private final Map<String, String> headers;
  private final XdsNameResolverProvider resolver;
  private final ManagedChannel channel;
  private final Channel withHeaders;

  private DemoClient(
      String target,
      Map<String, String> headers,
      XdsNameResolverProvider resolver,
      ManagedChannel channel) {
    this.target = target;
    this.headers = headers;
    this.resolver = resolver;
    this.channel = channel;
    Metadata md = new Metadata();
    headers.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    this.withHeaders =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /**
   * A client of the control plane's plaintext xDS port {@code xdsPort} on loopback, dialling {@code
   * hostPort} (like {@code reviews.demo.svc.cluster.local:9080}) with {@code headers} on every
   * call. Connects lazily, on the first call.
   */
  public static DemoClient connect(int xdsPort, String hostPort, Map<String, String> headers) {
    // grpc-java reads the default "xds" scheme's bootstrap once per JVM (GRPC_XDS_BOOTSTRAP); a
    // scheme of our own carries this client's bootstrap, so it needs no file or environment.
    String scheme = "meshctl-demo" + SCHEMES.incrementAndGet();
    XdsNameResolverProvider resolver =
        XdsNameResolverProvider.createForTest(scheme, bootstrap(xdsPort, "demo-client-" + scheme));
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    ManagedChannel channel =
        Grpc.newChannelBuilder(scheme + ":///" + hostPort, InsecureChannelCredentials.create())
            .build();
    return new DemoClient("xds:///" + hostPort, new TreeMap<>(headers), resolver, channel);
  }

  /**
   * The bootstrap istio-agent writes for a proxyless client: node {@code
   * sidecar~127.0.0.1~POD.demo~demo.svc.cluster.local} with metadata {@code GENERATOR=grpc}.
   */
  static Map<String, Object> bootstrap(int xdsPort, String pod) {
    return Map.of(
        "xds_servers",
        List.of(
            Map.of(
                "server_uri", "127.0.0.1:" + xdsPort,
                "channel_creds", List.of(Map.of("type", "insecure")),
                "server_features", List.of("xds_v3"))),
        "node",
        Map.of(
            "id",
            "sidecar~127.0.0.1~" + pod + "." + NAMESPACE + "~" + NAMESPACE + ".svc.cluster.local",
            "metadata",
            Map.of(
                "GENERATOR",
                "grpc",
                "NAMESPACE",
                NAMESPACE,
                "LABELS",
                Map.of("app", "demo-client"))));
  }

  /** What the client dials, as an application would write it. */
  public String target() {
    return target;
  }

  /** The headers sent with every call. */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * One RPC; returns the version that answered.
   *
   * @throws StatusRuntimeException if the call failed (no route, no endpoint, deadline)
   */
  public String call() {
    return ClientCalls.blockingUnaryCall(
        withHeaders,
        DemoBackend.VERSION,
        CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS),
        "which version?");
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    NameResolverRegistry.getDefaultRegistry().deregister(resolver);
  }
}
