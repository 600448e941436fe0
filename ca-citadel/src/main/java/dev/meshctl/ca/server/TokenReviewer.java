package dev.meshctl.ca.server;

import java.io.IOException;
import java.util.List;

/**
 * SEAM for Kubernetes' TokenReview API: asks the API server whether a service account token is
 * valid for the given audiences. The real implementation (a {@code TokenReview} create through the
 * Kubernetes client) comes with the Kubernetes issue; until then only tests supply one (see {@code
 * FakeTokenReviewer} in the test sources). Implementations must be thread-safe.
 */
public interface TokenReviewer {
  /**
   * The API server's verdict on a token.
   *
   * @param authenticated whether the token is valid
   * @param username {@code system:serviceaccount:<namespace>:<name>} for a service account
   * @param audiences the audiences the token was accepted for (a subset of those asked)
   * @param error the API server's reason when not authenticated, else empty
   */
  record Review(boolean authenticated, String username, List<String> audiences, String error) {
    public Review {
      audiences = List.copyOf(audiences);
      error = error == null ? "" : error;
      username = username == null ? "" : username;
    }
  }

  /**
   * Reviews {@code token} for {@code audiences}.
   *
   * @throws IOException if the API server could not be asked
   */
  Review review(String token, List<String> audiences) throws IOException;
}
