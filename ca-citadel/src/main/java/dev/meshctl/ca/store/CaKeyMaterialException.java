package dev.meshctl.ca.store;

/**
 * CA key material is missing, corrupt, inconsistent or expired; a startup error. The message names
 * the location and file, says what is wrong and what the operator can do about it.
 */
public final class CaKeyMaterialException extends RuntimeException {
  public CaKeyMaterialException(String message) {
    super(message);
  }

  public CaKeyMaterialException(String message, Throwable cause) {
    super(message, cause);
  }
}
