package dev.meshctl.ca.server;

import io.grpc.Metadata;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Authenticates a caller by the Kubernetes service account token in {@code authorization: Bearer
 * <token>}, as istio-agent sends it, checked by a {@link TokenReviewer} for the CA's audience
 * ({@code istio-ca}). The token review itself is a seam until the Kubernetes issue supplies the API
 * call. Thread-safe if the reviewer is.
 */
public final class KubernetesJwtAuthenticator implements Authenticator {
  /** The audience istio-agent requests its token for. */
  public static final String ISTIO_CA_AUDIENCE = "istio-ca";

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";
  private static final String SA_PREFIX = "system:serviceaccount:";

  private final TokenReviewer reviewer;
  private final List<String> audiences;

  public KubernetesJwtAuthenticator(TokenReviewer reviewer, List<String> audiences) {
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("at least one audience is required");
    }
    this.reviewer = reviewer;
    this.audiences = List.copyOf(audiences);
  }

  public KubernetesJwtAuthenticator(TokenReviewer reviewer) {
    this(reviewer, List.of(ISTIO_CA_AUDIENCE));
  }

  @Override
  public String name() {
    return "kubernetes-jwt";
  }

  @Override
  public String expects() {
    return "'authorization: Bearer <Kubernetes service account token>'";
  }

  @Override
  public Optional<Caller> authenticate(Metadata headers, SSLSession tls)
      throws AuthenticationException {
    String value = headers.get(AUTHORIZATION);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())
        || value.substring(BEARER.length()).isBlank()) {
      throw new AuthenticationException("the authorization header is not 'Bearer <token>'");
    }
    String token = value.substring(BEARER.length()).trim();
    TokenReviewer.Review review;
    try {
      review = reviewer.review(token, audiences);
    } catch (IOException e) {
      throw new AuthenticationException("the token could not be reviewed: " + e.getMessage());
    }
    if (!review.authenticated()) {
      throw new AuthenticationException(
          "the token was rejected" + (review.error().isEmpty() ? "" : ": " + review.error()));
    }
    if (review.audiences().stream().noneMatch(audiences::contains)) {
      throw new AuthenticationException(
          "the token's audiences " + review.audiences() + " do not include " + audiences);
    }
    String user = review.username();
    String[] parts =
        user.startsWith(SA_PREFIX)
            ? user.substring(SA_PREFIX.length()).split(":", -1)
            : new String[0];
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new AuthenticationException(
          "the token belongs to \"" + user + "\", which is not a service account");
    }
    return Optional.of(new Caller(parts[0], parts[1], Caller.Method.KUBERNETES_JWT));
  }
}
