package dev.meshctl.xds.proxy;

/** A proxy's {@code Node} cannot be parsed; the message says which part and why. */
public final class InvalidNodeException extends Exception {
  public InvalidNodeException(String message) {
    super(message);
  }
}
