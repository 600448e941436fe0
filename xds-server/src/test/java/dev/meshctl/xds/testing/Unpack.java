package dev.meshctl.xds.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/** Unpacks an {@code Any} in tests, where a wrong type is a test bug. */
public final class Unpack {
  private Unpack() {}

  public static <T extends Message> T of(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("expected " + type.getSimpleName() + " in " + any.getTypeUrl(), e);
    }
  }
}
