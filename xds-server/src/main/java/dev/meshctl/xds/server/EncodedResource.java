package dev.meshctl.xds.server;

import com.google.protobuf.Any;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.util.List;
import java.util.Objects;

/**
 * A generated resource as it goes on the wire: packed once per push and shared by every proxy that
 * receives an equal resource. Immutable.
 *
 * @param any the resource, deterministically serialized
 * @param version content hash of {@code any}'s bytes: equal resources have equal versions, in any
 *     process
 * @param violations why the validator refused it; empty when it may be sent
 */
record EncodedResource(Any any, String version, List<Violation> violations) {
  EncodedResource {
    Objects.requireNonNull(any, "any");
    Objects.requireNonNull(version, "version");
    violations = List.copyOf(violations);
  }

  boolean accepted() {
    return violations.isEmpty();
  }
}
