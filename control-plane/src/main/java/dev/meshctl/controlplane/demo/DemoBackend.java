package dev.meshctl.controlplane.demo;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One backend of the traffic demo: a plain grpc-java server on {@code port} whose {@link #VERSION}
 * method answers its version ({@code v1}, {@code v2}), so the client can show which version the
 * mesh routed each call to. Immutable once started; any thread.
 */
public final class DemoBackend implements AutoCloseable {
  /** {@code demo.Reviews/Version}: request and reply are UTF-8 strings, no generated protos. */
  public static final MethodDescriptor<String, String> VERSION =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("demo.Reviews/Version")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private final String version;
  private final Server server;

  private DemoBackend(String version, Server server) {
    this.version = version;
    this.server = server;
  }

  /**
   * Starts a backend answering {@code version} on {@code port} of every interface (0: any free
   * port, see {@link #port()}).
   *
   * @throws IOException if the port cannot be bound
   */
  public static DemoBackend start(String version, int port) throws IOException {
    Server server =
        Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
            .addService(
                ServerServiceDefinition.builder("demo.Reviews")
                    .addMethod(
                        VERSION,
                        ServerCalls.asyncUnaryCall(
                            (request, reply) -> {
                              reply.onNext(version);
                              reply.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    return new DemoBackend(version, server);
  }

  /** The version this backend answers. */
  public String version() {
    return version;
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** UTF-8 strings as gRPC messages. */
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
