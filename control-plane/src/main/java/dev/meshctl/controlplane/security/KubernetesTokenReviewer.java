package dev.meshctl.controlplane.security;

import dev.meshctl.ca.server.TokenReviewer;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;

/**
 * Asks the API server about a service account token: creates an {@code authentication.k8s.io/v1}
 * TokenReview for the audiences and returns its status (authenticated, username, audiences, error).
 * An API failure (unreachable, forbidden, bad reply) is an {@link IOException} naming the HTTP
 * code, never a rejection. The token is never logged or put in messages. Thread-safe.
 */
public final class KubernetesTokenReviewer implements TokenReviewer {
  private final KubernetesClient client;

  public KubernetesTokenReviewer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Review review(String token, List<String> audiences) throws IOException {
    TokenReview request =
        new TokenReviewBuilder()
            .withNewSpec()
            .withToken(token)
            .withAudiences(audiences)
            .endSpec()
            .build();
    TokenReview reply;
    try {
      reply = client.authentication().v1().tokenReviews().create(request);
    } catch (KubernetesClientException e) {
      throw new IOException(
          "TokenReview failed"
              + (e.getCode() > 0 ? " with HTTP " + e.getCode() : "")
              + ": "
              + (e.getStatus() != null && e.getStatus().getMessage() != null
                  ? e.getStatus().getMessage()
                  : String.valueOf(e.getMessage())));
    }
    TokenReviewStatus status = reply == null ? null : reply.getStatus();
    if (status == null) {
      throw new IOException("TokenReview failed: the API server returned no status");
    }
    boolean authenticated = Boolean.TRUE.equals(status.getAuthenticated());
    String username = status.getUser() == null ? "" : status.getUser().getUsername();
    List<String> granted = status.getAudiences() == null ? List.of() : status.getAudiences();
    return new Review(authenticated, username, granted, status.getError());
  }
}
