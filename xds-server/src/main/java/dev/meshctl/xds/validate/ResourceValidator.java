package dev.meshctl.xds.validate;

import com.google.protobuf.Message;
import java.util.List;

/**
 * Checks a generated resource against what Envoy would accept, before the ADS server sends it. A
 * resource with any violation is never sent. Implementations are stateless or thread-safe: push
 * workers call them concurrently.
 */
public interface ResourceValidator {

  /** Every rule the resource breaks; empty when Envoy would accept it. */
  List<Violation> validate(Message resource);

  /** Accepts everything; for tests that exercise something else. */
  ResourceValidator NONE = resource -> List.of();

  /**
   * One broken rule.
   *
   * @param fieldPath path from the resource root, e.g. {@code
   *     load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value}
   * @param message what is wrong, with the offending value, e.g. {@code must be <= 65535, got
   *     70000}
   */
  record Violation(String fieldPath, String message) {
    @Override
    public String toString() {
      return fieldPath + ": " + message;
    }
  }
}
