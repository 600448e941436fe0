package dev.meshctl.controlplane;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The monitoring HTTP port (JDK HTTP server): {@code /ready} answers 200 {@code ready} once the
 * control plane has pushed its first config and 503 {@code not ready} before; {@code
 * /debug/config_diagnostics} lists the current config problems, one per line; {@code /metrics}
 * serves Prometheus metrics. Handlers run on the injected executor; start and close are for the
 * owner.
 */
final class MonitoringServer implements AutoCloseable {
  private final HttpServer server;

  private MonitoringServer(HttpServer server) {
    this.server = server;
  }

  static MonitoringServer start(
      int port,
      BooleanSupplier ready,
      Supplier<List<String>> diagnostics,
      Supplier<String> metrics,
      Executor executor)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/ready",
        ex -> {
          boolean ok = ready.getAsBoolean();
          respond(ex, ok ? 200 : 503, ok ? "ready\n" : "not ready\n");
        });
    server.createContext(
        "/debug/config_diagnostics",
        ex -> {
          StringBuilder body = new StringBuilder();
          diagnostics.get().forEach(d -> body.append(d).append('\n'));
          respond(ex, 200, body.toString());
        });
    server.createContext(
        "/metrics",
        ex -> {
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          respond(ex, 200, metrics.get());
        });
    server.setExecutor(executor);
    server.start();
    return new MonitoringServer(server);
  }

  /**
   * Serves {@code handler} under {@code path} (longest prefix wins) from now on; used to add the
   * debug endpoints. Wiring only, before the control plane is in use.
   */
  void handle(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().putIfAbsent("Content-Type", List.of("text/plain; charset=utf-8"));
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
