package dev.meshctl.xds.server;

import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.FakeXdsGenerator;
import dev.meshctl.xds.testing.RecordingEvents;
import dev.meshctl.xds.validate.ResourceValidator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An {@link AdsServer} on an in-process gRPC transport with a {@link FakeXdsGenerator}, {@link
 * RecordingEvents} and a two-thread push executor, plus builders for small Envoy resources. One per
 * test; close it.
 */
final class AdsHarness implements AutoCloseable {
  static final String NODE_A = "sidecar~10.0.0.1~a-1.default~default.svc.cluster.local";
  static final String NODE_B = "sidecar~10.0.0.2~b-1.default~default.svc.cluster.local";

  final FakeXdsGenerator generator = new FakeXdsGenerator();
  final RecordingEvents events = new RecordingEvents();
  final AdsServer ads;
  private final ExecutorService pushExecutor = Executors.newFixedThreadPool(2);
  private final Server server;
  private final ManagedChannel channel;
  private final List<AdsTestClient> clients = new ArrayList<>();

  AdsHarness() {
    this(ResourceValidator.NONE);
  }

  AdsHarness(ResourceValidator validator) {
    this(validator, Clock.systemUTC(), StreamInitLimiter.UNLIMITED);
  }

  /** With the server's clock and stream-start limiter given, e.g. a {@link ManualTime}'s. */
  AdsHarness(Clock clock, StreamInitLimiter limiter) {
    this(ResourceValidator.NONE, clock, limiter);
  }

  private AdsHarness(ResourceValidator validator, Clock clock, StreamInitLimiter limiter) {
    ads = new AdsServer(generator, validator, pushExecutor, clock, events, limiter);
    String name = InProcessServerBuilder.generateName();
    try {
      server = InProcessServerBuilder.forName(name).addService(ads).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** A client for this node id; null: one that sends no node. */
  AdsTestClient client(String nodeId) {
    AdsTestClient c =
        new AdsTestClient(channel, nodeId == null ? null : AdsTestClient.node(nodeId));
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    clients.forEach(AdsTestClient::close);
    channel.shutdownNow();
    server.shutdownNow();
    pushExecutor.shutdownNow();
  }

  static Cluster cluster(String name, int connectTimeoutSeconds) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Duration.newBuilder().setSeconds(connectTimeoutSeconds))
        .build();
  }

  static ClusterLoadAssignment endpoints(String cluster, String ip) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(
                            Endpoint.newBuilder()
                                .setAddress(
                                    Address.newBuilder()
                                        .setSocketAddress(
                                            SocketAddress.newBuilder()
                                                .setAddress(ip)
                                                .setPortValue(8080))))))
        .build();
  }

  static Listener listener(String name, int port) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(port)))
        .build();
  }

  /** Names of the resources in a SotW response, by unpacking each one's name field. */
  static List<String> names(io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse response) {
    List<String> out = new ArrayList<>();
    for (com.google.protobuf.Any any : response.getResourcesList()) {
      out.add(nameOf(any));
    }
    return out;
  }

  static String nameOf(com.google.protobuf.Any any) {
    try {
      Message m =
          switch (any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1)) {
            case "envoy.config.cluster.v3.Cluster" -> any.unpack(Cluster.class);
            case "envoy.config.endpoint.v3.ClusterLoadAssignment" ->
                any.unpack(ClusterLoadAssignment.class);
            case "envoy.config.listener.v3.Listener" -> any.unpack(Listener.class);
            default -> throw new IllegalArgumentException(any.getTypeUrl());
          };
      if (m instanceof ClusterLoadAssignment cla) {
        return cla.getClusterName();
      }
      return (String) m.getField(m.getDescriptorForType().findFieldByName("name"));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
