package dev.meshctl.ca;

import java.util.Objects;
import java.util.Optional;

/**
 * A workload identity in Istio's SPIFFE form, {@code
 * spiffe://<trustDomain>/ns/<namespace>/sa/<sa>}. Components are non-empty and contain no {@code
 * /}. Immutable; any thread.
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {
  private static final String SCHEME = "spiffe://";

  public SpiffeId {
    requireSegment("trustDomain", trustDomain);
    requireSegment("namespace", namespace);
    requireSegment("serviceAccount", serviceAccount);
  }

  /** The URI form carried in a certificate's URI SAN. */
  public String uri() {
    return SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** Parses the URI form; empty if {@code uri} is not exactly an Istio SPIFFE identity. */
  public static Optional<SpiffeId> parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      return Optional.empty();
    }
    String[] parts = uri.substring(SCHEME.length()).split("/", -1);
    if (parts.length != 5 || !"ns".equals(parts[1]) || !"sa".equals(parts[3])) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SpiffeId(parts[0], parts[2], parts[4]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return uri();
  }

  private static void requireSegment(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(what + " must be non-empty without '/': '" + value + "'");
    }
  }
}
