package dev.meshctl.injector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Namespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar injection webhook: HTTPS (the serving certificate comes in the {@link SSLContext}),
 * {@code POST /inject} and {@code /inject/...}, an AdmissionReview in and a JSON-patch response out
 * (see {@link AdmissionReviews}). Istio serves it on 15017 behind Service port 443. Start once with
 * {@link #start}, stop with {@link #close}; requests are handled on the webhook's own small thread
 * pool, and the configuration supplier is read once per request (so it may be swapped at runtime).
 */
public final class InjectionWebhook implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InjectionWebhook.class);

  /** Istio's webhook port. */
  public static final int DEFAULT_PORT = 15017;

  /** Larger bodies are refused (a Pod is at most ~1.5 MiB in etcd). */
  static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final HttpsServer server;
  private final ExecutorService executor;
  private final Supplier<InjectionConfig> config;
  private final Function<String, Optional<Namespace>> namespaces;

  private InjectionWebhook(
      HttpsServer server,
      ExecutorService executor,
      Supplier<InjectionConfig> config,
      Function<String, Optional<Namespace>> namespaces) {
    this.server = server;
    this.executor = executor;
    this.config = config;
    this.namespaces = namespaces;
  }

  /**
   * Binds and starts the webhook.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @param tls the server's certificate and key
   * @param config the current injection configuration
   * @param namespaces namespace lookup; empty means "unknown", and the API server's selectors are
   *     trusted
   */
  public static InjectionWebhook start(
      InetSocketAddress address,
      SSLContext tls,
      Supplier<InjectionConfig> config,
      Function<String, Optional<Namespace>> namespaces)
      throws IOException {
    Objects.requireNonNull(tls, "tls");
    HttpsServer server = HttpsServer.create(address, 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "inject-webhook-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    InjectionWebhook webhook = new InjectionWebhook(server, executor, config, namespaces);
    server.createContext("/inject", webhook::handle);
    server.start();
    log.info("event=webhook_started address={}", server.getAddress());
    return webhook;
  }

  /**
   * Serves another path on the same HTTPS port (e.g. the control plane's {@code /validate}), on the
   * webhook's threads. The JDK matches paths by longest prefix. Call once per path, after {@link
   * #start}.
   */
  public void addHandler(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      AdmissionReviews.Reply reply;
      try {
        reply = reply(exchange);
      } catch (RuntimeException e) {
        // Never a bare 500: say what went wrong (AdmissionReviews already admits bad pods).
        log.error("event=inject_failed path={}", exchange.getRequestURI().getPath(), e);
        reply = AdmissionReviews.Reply.error(500, "internal error: " + e);
      }
      if (reply.status() != 200) {
        log.warn(
            "event=inject_rejected path={} status={} reason=\"{}\"",
            exchange.getRequestURI().getPath(),
            reply.status(),
            reply.text().strip());
      }
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      exchange.sendResponseHeaders(reply.status(), reply.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply.body());
      }
    }
  }

  private AdmissionReviews.Reply reply(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    // The JDK matches contexts by prefix: "/injection" would land here too.
    if (!path.equals("/inject") && !path.startsWith("/inject/")) {
      return AdmissionReviews.Reply.error(404, "no such path: " + path);
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      return AdmissionReviews.Reply.error(
          405, "method " + exchange.getRequestMethod() + " not allowed: use POST");
    }
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      return AdmissionReviews.Reply.error(
          415, "invalid Content-Type " + contentType + ": want application/json");
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      return AdmissionReviews.Reply.error(413, "body larger than " + MAX_BODY_BYTES + " bytes");
    }
    if (body.length == 0) {
      return AdmissionReviews.Reply.error(400, "no body: want an AdmissionReview");
    }
    return AdmissionReviews.review(body, path, config.get(), namespaces);
  }

  /** Stops accepting requests, lets running ones finish (up to a second), stops the threads. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("event=webhook_stopped");
  }
}
