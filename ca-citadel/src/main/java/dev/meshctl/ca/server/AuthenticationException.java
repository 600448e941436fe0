package dev.meshctl.ca.server;

/**
 * A credential was presented but is not valid. The message says why and is returned to the caller,
 * so it never contains the credential itself.
 */
public final class AuthenticationException extends Exception {
  public AuthenticationException(String message) {
    super(message);
  }
}
