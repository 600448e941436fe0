package dev.meshctl.controlplane.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.meshctl.crds.decode.Decoded;
import dev.meshctl.crds.decode.IstioConfigDecoder;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.crds.validation.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's validating webhook on {@code /validate}: an {@code admission.k8s.io/v1} AdmissionReview
 * of a {@code networking.istio.io} object is decoded and checked by {@link NetworkingValidator};
 * any error gives {@code allowed: false} with every message (one per line) in {@code
 * status.message}, warnings go to {@code warnings}. Objects of other groups or kinds, and requests
 * without an object (DELETE), are allowed. A body that is not an AdmissionReview is a 400 with the
 * reason. Stateless; called on the webhook's threads.
 */
final class ValidationHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ValidationHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      byte[] body;
      try {
        JsonNode reply = reply(exchange);
        status = 200;
        body = JSON.writeValueAsBytes(reply);
      } catch (BadRequest e) {
        status = e.status;
        body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        log.warn("event=validate_rejected status={} reason=\"{}\"", status, e.getMessage());
      }
      exchange
          .getResponseHeaders()
          .set("Content-Type", status == 200 ? "application/json" : "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static final class BadRequest extends Exception {
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static JsonNode reply(HttpExchange exchange) throws IOException, BadRequest {
    if (!exchange.getRequestURI().getPath().equals("/validate")) {
      throw new BadRequest(404, "no such path: " + exchange.getRequestURI().getPath());
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      throw new BadRequest(405, "method " + exchange.getRequestMethod() + " not allowed: use POST");
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new BadRequest(413, "body larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode review;
    try {
      review = JSON.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequest(400, "body is not JSON: " + e.getOriginalMessage());
    }
    if (review == null
        || !review.path("apiVersion").asText("").startsWith("admission.k8s.io/")
        || !review.path("kind").asText("").equals("AdmissionReview")) {
      throw new BadRequest(400, "body is not an admission.k8s.io AdmissionReview");
    }
    String uid = review.path("request").path("uid").asText("");
    if (uid.isEmpty()) {
      throw new BadRequest(400, "AdmissionReview has no request.uid");
    }
    return answer(review.path("apiVersion").asText(), uid, review.path("request").path("object"));
  }

  /** The AdmissionReview answering {@code uid} for {@code object} (missing: allowed). */
  static ObjectNode answer(String apiVersion, String uid, JsonNode object) {
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", apiVersion);
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);
    if (object == null || object.isMissingNode() || object.isNull()) {
      response.put("allowed", true);
      return out;
    }
    Decoded decoded = IstioConfigDecoder.decode(object);
    List<String> errors;
    List<String> warnings = List.of();
    if (decoded instanceof Decoded.Ok ok) {
      ValidationReport report = dev.meshctl.xds.validate.IstioValidation.validate(ok.config());
      errors = report.errors();
      warnings = report.warnings();
    } else if (decoded instanceof Decoded.Invalid invalid) {
      errors = invalid.messages();
    } else {
      errors = List.of();
    }
    response.put("allowed", errors.isEmpty());
    if (!errors.isEmpty()) {
      response.putObject("status").put("message", String.join("\n", errors));
    }
    if (!warnings.isEmpty()) {
      warnings.forEach(response.putArray("warnings")::add);
    }
    return out;
  }
}
