package dev.meshctl.ca.server;

import java.util.Objects;

/**
 * An authenticated caller of the CA: a Kubernetes service account, and how it proved it. Immutable;
 * any thread.
 */
public record Caller(String namespace, String serviceAccount, Method method) {
  /** How the caller authenticated. */
  public enum Method {
    /** A Kubernetes service account token, checked by a {@link TokenReviewer}. */
    KUBERNETES_JWT,
    /** A client certificate this CA issued, presented over mutual TLS (renewal). */
    CLIENT_CERTIFICATE
  }

  public Caller {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(method, "method");
  }
}
