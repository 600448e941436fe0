package dev.meshctl.xds.model;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The value of one key of a Kubernetes Secret: key material, so it must never be printed. {@link
 * #toString} says only how long it is; {@link #bytes} hands out a copy. Immutable (the array is
 * copied in and out), compared by content; any thread.
 */
public final class SecretBytes {
  private final byte[] value;

  private SecretBytes(byte[] value) {
    this.value = value;
  }

  /** A copy of {@code value}. */
  public static SecretBytes of(byte[] value) {
    return new SecretBytes(Objects.requireNonNull(value, "value").clone());
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return value.clone();
  }

  /** The number of bytes. */
  public int length() {
    return value.length;
  }

  public boolean isEmpty() {
    return value.length == 0;
  }

  /** The bytes as base64, for callers that must copy them into a message (never for logging). */
  public String base64() {
    return Base64.getEncoder().encodeToString(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretBytes other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  /** {@code [redacted 1234 bytes]}: never the content. */
  @Override
  public String toString() {
    return "[redacted " + value.length + " bytes]";
  }
}
