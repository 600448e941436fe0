package dev.meshctl.controlplane.e2e;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real mesh for traffic-management tests: real grpc-java backends on loopback, each declared as a
 * Pod (with labels, so DestinationRule subsets select it) behind an EndpointSlice whose endpoint
 * points at the Pod ({@code targetRef}); the real control plane on a temp directory; and real
 * grpc-java xDS clients (own bootstrap per client, so each may carry its own labels). Config files
 * are written before {@link #start()}, so the first config a client receives already has them. Not
 * thread-safe for setup; backends and clients may be used from any thread.
 */
final class GrpcMesh implements AutoCloseable {
  static final String SERVICE = "greeter";
  static final int PORT = 7070;
  static final String TARGET_HOST = SERVICE + ".default.svc.cluster.local:" + PORT;

  /** Greeter/Who replies with the backend's name. */
  static final MethodDescriptor<String, String> WHO = method("meshctl.test.Greeter/Who");

  /** Another service on the same backends, for path routing. */
  static final MethodDescriptor<String, String> OTHER = method("meshctl.test.Other/Who");

  private static final AtomicInteger SCHEMES = new AtomicInteger();

  private final Path dir;
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<XdsNameResolverProvider> resolvers = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private ControlPlane cp;

  GrpcMesh(Path dir) throws IOException {
    this.dir = dir;
    write(
        "service.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec:
          clusterIP: 10.96.7.7
          selector: {app: greeter}
          ports: [{name: grpc, port: %d, targetPort: grpc}]
        """
            .formatted(SERVICE, PORT));
  }

  /** How a backend answers one call: a reply, or a {@link StatusRuntimeException}. */
  @FunctionalInterface
  interface Behaviour {
    String answer(String backend, String request, int attempt);
  }

  /** Answers with its name at once. */
  static final Behaviour NAME = (backend, request, attempt) -> backend;

  /** A backend answering with its name, labelled {@code app: greeter, version: <version>}. */
  void backend(String name, String version) throws IOException {
    backend(name, version, NAME, Duration.ZERO);
  }

  /**
   * A backend whose replies come from {@code behaviour}, each sent after {@code delay} (a slow
   * backend holds the call open without blocking a thread).
   */
  void backend(String name, String version, Behaviour behaviour, Duration delay)
      throws IOException {
    backend(name, version, behaviour, delay, Map.of());
  }

  /**
   * A backend answering with its name whose Pod also carries {@code labels} (for example {@code
   * istio-locality}); returns its server so a test can stop it.
   */
  Server backend(String name, String version, Map<String, String> labels) throws IOException {
    return backend(name, version, NAME, Duration.ZERO, labels);
  }

  private Server backend(
      String name, String version, Behaviour behaviour, Duration delay, Map<String, String> labels)
      throws IOException {
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    ServerCalls.UnaryMethod<String, String> handler =
        (request, reply) -> {
          calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          int attempt =
              attempts.computeIfAbsent(request, k -> new AtomicInteger()).incrementAndGet();
          Runnable respond =
              () -> {
                try {
                  reply.onNext(behaviour.answer(name, request, attempt));
                  reply.onCompleted();
                } catch (StatusRuntimeException e) {
                  reply.onError(e);
                }
              };
          if (delay.isZero()) {
            respond.run();
          } else {
            timer.schedule(respond, delay.toMillis(), TimeUnit.MILLISECONDS);
          }
        };
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                ServerServiceDefinition.builder("meshctl.test.Greeter")
                    .addMethod(WHO, ServerCalls.asyncUnaryCall(handler))
                    .build())
            .addService(
                ServerServiceDefinition.builder("meshctl.test.Other")
                    .addMethod(OTHER, ServerCalls.asyncUnaryCall(handler))
                    .build())
            .build()
            .start();
    servers.add(server);
    write(
        "backend-" + name + ".yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: greeter-%1$s
          namespace: default
          labels: {app: greeter, version: %2$s%4$s}
        spec:
          containers: [{name: app, ports: [{name: grpc, containerPort: %3$d}]}]
        status: {podIP: 127.0.0.1}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: greeter-%1$s
          namespace: default
          labels: {kubernetes.io/service-name: greeter}
        addressType: IPv4
        ports: [{name: grpc, port: %3$d}]
        endpoints:
        - addresses: [127.0.0.1]
          conditions: {ready: true}
          targetRef: {kind: Pod, namespace: default, name: greeter-%1$s}
        """
            .formatted(name, version, server.getPort(), extraLabels(labels)));
    return server;
  }

  private static String extraLabels(Map<String, String> labels) {
    StringBuilder out = new StringBuilder();
    new java.util.TreeMap<>(labels)
        .forEach((k, v) -> out.append(", ").append(k).append(": ").append(v));
    return out.toString();
  }

  /** Writes a config file (VirtualService, DestinationRule) into the watched directory. */
  void write(String name, String yaml) throws IOException {
    Files.writeString(dir.resolve(name), yaml);
  }

  /** Starts the control plane; every file written so far is its initial config. */
  void start() throws IOException {
    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.of(dir),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(20), Duration.ofSeconds(1))),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC());
  }

  /** Problems the control plane reports about the config directory. */
  List<String> diagnostics() {
    return cp.diagnostics();
  }

  /** A proxyless client in namespace {@code default} with {@code labels}, dialling the service. */
  ManagedChannel client(Map<String, String> labels) {
    return client(labels, TARGET_HOST);
  }

  /**
   * A proxyless client in namespace {@code default} with {@code labels}, dialling {@code target}.
   */
  ManagedChannel client(Map<String, String> labels, String target) {
    return client(labels, target, Map.of());
  }

  /**
   * A proxyless client in namespace {@code default} with {@code labels}, dialling {@code target},
   * whose bootstrap node says it is in {@code locality} ({@code region}, {@code zone}, {@code
   * sub_zone}; empty: no locality), as istio-agent writes it from the pod's node.
   */
  @SuppressWarnings("unchecked")
  ManagedChannel client(Map<String, String> labels, String target, Map<String, String> locality) {
    String scheme = "meshctl-tm" + SCHEMES.incrementAndGet();
    Map<String, Object> bootstrap = bootstrap(cp.xdsPort(), "client-" + scheme, labels);
    if (!locality.isEmpty()) {
      Map<String, Object> node =
          new java.util.HashMap<>((Map<String, Object>) bootstrap.get("node"));
      node.put("locality", locality);
      Map<String, Object> withLocality = new java.util.HashMap<>(bootstrap);
      withLocality.put("node", node);
      bootstrap = withLocality;
    }
    XdsNameResolverProvider resolver = XdsNameResolverProvider.createForTest(scheme, bootstrap);
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    resolvers.add(resolver);
    ManagedChannel channel =
        Grpc.newChannelBuilder(scheme + ":///" + target, InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  /**
   * The xDS bootstrap of a proxyless client in namespace {@code default}, as istio-agent writes it:
   * our control plane at {@code xdsPort} (plaintext), node {@code
   * sidecar~127.0.0.1~POD.default~...} with metadata {@code GENERATOR=grpc}, {@code NAMESPACE} and
   * {@code LABELS}.
   */
  static Map<String, Object> bootstrap(int xdsPort, String pod, Map<String, String> labels) {
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
            "sidecar~127.0.0.1~" + pod + ".default~default.svc.cluster.local",
            "metadata",
            Map.of("GENERATOR", "grpc", "NAMESPACE", "default", "LABELS", labels)));
  }

  /**
   * A plain (non-xDS) gRPC server on an ephemeral port whose {@code Who} answers {@code name}: an
   * endpoint for tests that write their own EndpointSlices. The caller shuts it down.
   */
  static Server nameServer(String name) throws IOException {
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(
            ServerServiceDefinition.builder("meshctl.test.Greeter")
                .addMethod(
                    WHO,
                    ServerCalls.asyncUnaryCall(
                        (req, reply) -> {
                          reply.onNext(name);
                          reply.onCompleted();
                        }))
                .build())
        .build()
        .start();
  }

  /** One RPC with optional headers; returns the reply (the backend's name) or throws. */
  static String call(
      ManagedChannel channel,
      MethodDescriptor<String, String> method,
      Map<String, String> headers,
      String request) {
    Metadata md = new Metadata();
    headers.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    Channel withHeaders =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    return ClientCalls.blockingUnaryCall(withHeaders, method, options, request);
  }

  /** {@link #call} of Greeter/Who without headers. */
  static String who(ManagedChannel channel) {
    return call(channel, WHO, Map.of(), "hi");
  }

  /** The status code of a call that must fail. */
  static Status.Code failure(ManagedChannel channel, Map<String, String> headers, String request) {
    try {
      String reply = call(channel, WHO, headers, request);
      throw new AssertionError("expected the call to fail, but " + reply + " answered");
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** How many of {@code n} RPCs each backend answered. */
  static Map<String, Long> spread(ManagedChannel channel, int n) {
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      replies.add(who(channel));
    }
    return replies.stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
  }

  /** Calls each backend received (every attempt counts). */
  int callsTo(String backend) {
    AtomicInteger n = calls.get(backend);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (XdsNameResolverProvider r : resolvers) {
      NameResolverRegistry.getDefaultRegistry().deregister(r);
    }
    if (cp != null) {
      cp.close();
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    timer.shutdownNow();
  }

  private static MethodDescriptor<String, String> method(String fullName) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(new Utf8())
        .setResponseMarshaller(new Utf8())
        .build();
  }

  /** UTF-8 strings as gRPC messages, so the tests need no generated protos. */
  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
