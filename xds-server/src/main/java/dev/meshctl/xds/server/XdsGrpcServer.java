package dev.meshctl.xds.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC server (grpc-netty-shaded) serving an {@link AdsServer}, e.g. on istiod's xDS
 * port 15010. Started by {@link #start}; {@link #close} stops it. Thread-safe.
 */
public final class XdsGrpcServer implements AutoCloseable {
  /** ADS streams never end by themselves, so a graceful stop waits only this long for them. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  private final Server server;
  private final Duration grace;

  private XdsGrpcServer(Server server, Duration grace) {
    this.server = server;
    this.grace = grace;
  }

  /** {@link #start(int, AdsServer, Duration)} with {@link #DEFAULT_GRACE}. */
  public static XdsGrpcServer start(int port, AdsServer ads) {
    return start(port, ads, DEFAULT_GRACE);
  }

  /**
   * Binds {@code port} on all interfaces ({@code 0}: an ephemeral port, see {@link #port()}) and
   * starts serving {@code ads}.
   *
   * @param grace how long {@link #close} lets open streams finish before cancelling them
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static XdsGrpcServer start(int port, AdsServer ads, Duration grace) {
    Objects.requireNonNull(ads, "ads");
    Objects.requireNonNull(grace, "grace");
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(port))
            .addService(ads)
            // Envoy sends HTTP/2 keepalive pings on long-lived xDS streams; permit them rather
            // than answering with GOAWAY ENHANCE_YOUR_CALM.
            .permitKeepAliveTime(15, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve xDS on port " + port, e);
    }
    return new XdsGrpcServer(server, grace);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops accepting streams, gives open ones the grace period to end, then cancels the rest (which
   * the {@link AdsServer} sees as disconnects).
   */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
