package dev.meshctl.xds.server;

import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.FakeXdsGenerator;
import dev.meshctl.xds.testing.RecordingEvents;
import dev.meshctl.xds.validate.ResourceValidator;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link AdsServer} served twice: as itself (unchecked) and through {@link
 * AdsServer#withNodeAuthorizer}, whose authorizer sees the call's gRPC context (a namespace an
 * interceptor put there from a header) and refuses nodes of other namespaces.
 */
class NodeAuthorizerTest {
  private static final Context.Key<String> CALLER_NS = Context.key("caller-ns");
  private static final Metadata.Key<String> NS_HEADER =
      Metadata.Key.of("x-ns", Metadata.ASCII_STRING_MARSHALLER);
  private static final String NODE_DEFAULT =
      "sidecar~10.0.0.1~a-1.default~default.svc.cluster.local";

  private final ExecutorService pushExecutor = Executors.newFixedThreadPool(2);
  private final RecordingEvents events = new RecordingEvents();
  private final FakeXdsGenerator generator = new FakeXdsGenerator();
  private final AdsServer ads =
      new AdsServer(generator, ResourceValidator.NONE, pushExecutor, Clock.systemUTC(), events);
  private final String name = InProcessServerBuilder.generateName();
  private final Server server = start();
  private final ManagedChannel channel = InProcessChannelBuilder.forName(name).build();

  private Server start() {
    NodeAuthorizer sameNamespace =
        proxy -> {
          String ns = CALLER_NS.get();
          return proxy.namespace().equals(ns)
              ? Optional.empty()
              : Optional.of("caller " + ns + " may not claim namespace " + proxy.namespace());
        };
    ServerInterceptor headerToContext =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context ctx = Context.current().withValue(CALLER_NS, headers.get(NS_HEADER));
            return Contexts.interceptCall(ctx, call, headers, next);
          }
        };
    try {
      return InProcessServerBuilder.forName(name)
          .addService(
              ServerInterceptors.intercept(ads.withNodeAuthorizer(sameNamespace), headerToContext))
          .build()
          .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
    pushExecutor.shutdownNow();
  }

  private AdsTestClient client(String callerNs, String nodeId) {
    Metadata h = new Metadata();
    h.put(NS_HEADER, callerNs);
    return new AdsTestClient(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(h)),
        AdsTestClient.node(nodeId));
  }

  @Test
  void aNodeOfTheCallersNamespaceIsServed() {
    ads.push(generator.context(Map.of(CLUSTER, Map.of("a", AdsHarness.cluster("a", 1)))));
    try (AdsTestClient c = client("default", NODE_DEFAULT)) {
      c.request(CLUSTER, List.of());
      assertThat(AdsHarness.names(c.awaitResponse(0))).containsExactly("a");
      org.awaitility.Awaitility.await()
          .untilAsserted(() -> assertThat(ads.connections()).hasSize(1));
    }
  }

  @Test
  void aNodeOfAnotherNamespaceIsRefusedWithTheAuthorizersReason() {
    try (AdsTestClient c = client("prod", NODE_DEFAULT)) {
      c.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      Status status = c.awaitDeltaClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).isEqualTo("caller prod may not claim namespace default");
    }
    assertThat(ads.connections()).isEmpty();
    assertThat(events.of("invalidNode"))
        .containsExactly(
            "invalidNode " + NODE_DEFAULT + ": caller prod may not claim namespace default");
  }

  @Test
  void theSotwStreamIsCheckedToo() {
    try (AdsTestClient c = client("prod", NODE_DEFAULT)) {
      c.request(CLUSTER, List.of());
      Status status = c.awaitSotwClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    assertThat(events.of("connected")).isEmpty();
  }
}
