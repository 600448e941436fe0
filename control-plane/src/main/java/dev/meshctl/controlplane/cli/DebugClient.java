package dev.meshctl.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads the control plane's debug API ({@code /debug/*} on the monitoring port, 15014) for {@code
 * proxy-status} and {@code proxy-config}. Failures become a {@link DebugClientException} whose
 * message is what the user sees: an unreachable control plane names the address and how to reach
 * one in a cluster; an error answer carries the server's {@code error} message. One per command
 * invocation; not shared between threads.
 */
final class DebugClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The hint printed with every connection failure. */
  static final String PORT_FORWARD_HINT =
      "For a control plane in Kubernetes, forward its monitoring port first:"
          + " kubectl port-forward -n istio-system deploy/istiod 15014";

  private final String addr;
  private final URI base;
  private final HttpClient http;

  /**
   * @param addr {@code host:port}, or a {@code http://} URL
   */
  DebugClient(String addr) {
    this.addr = addr;
    this.base = URI.create(addr.contains("://") ? addr : "http://" + addr);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A failure to show the user, as is. */
  static final class DebugClientException extends Exception {
    private final int status;

    DebugClientException(String message, int status) {
      super(message);
      this.status = status;
    }

    /** The HTTP status of the answer, 0 when there was none. */
    int status() {
      return status;
    }
  }

  /** GETs {@code pathAndQuery} and parses the JSON answer. */
  JsonNode get(String pathAndQuery) throws DebugClientException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(base.resolve(pathAndQuery))
                  .timeout(Duration.ofSeconds(30))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw unreachable();
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        throw unreachable();
      }
      throw new DebugClientException(
          "cannot read " + pathAndQuery + " from the control plane at " + addr + ": " + e, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DebugClientException("interrupted", 0);
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new DebugClientException(
          "the control plane at "
              + addr
              + " answered "
              + pathAndQuery
              + " with HTTP "
              + response.statusCode()
              + " and no JSON; is this the monitoring port (15014)?",
          response.statusCode());
    }
    if (response.statusCode() != 200) {
      String message = body.path("error").asText("");
      throw new DebugClientException(
          message.isEmpty()
              ? "the control plane at "
                  + addr
                  + " answered "
                  + pathAndQuery
                  + " with HTTP "
                  + response.statusCode()
              : message,
          response.statusCode());
    }
    return body;
  }

  private DebugClientException unreachable() {
    return new DebugClientException(
        "cannot connect to the control plane at "
            + addr
            + " (is it running?). "
            + PORT_FORWARD_HINT,
        0);
  }
}
