package dev.meshctl.crds.networking;

import java.util.List;

/**
 * The gRPC status names a VirtualService fault may abort with ({@code fault.abort.grpcStatus}), in
 * code order: {@code OK} is 0, {@code UNAUTHENTICATED} is 16. One list for the validator (is the
 * name known?) and the translator (which code does it mean?). Immutable; any thread.
 */
public final class GrpcStatus {
  private GrpcStatus() {}

  /** Status names, index = code. */
  public static final List<String> NAMES =
      List.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");
}
