package dev.meshctl.ca.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TEST FAKE of the {@link TokenReviewer} seam, standing in for Kubernetes' TokenReview API until
 * the Kubernetes issue brings the real call: answers from a table of known tokens and records every
 * review asked for. Thread-safe.
 */
public final class FakeTokenReviewer implements TokenReviewer {
  /** One review asked for. */
  public record Asked(String token, List<String> audiences) {}

  private final Map<String, Review> tokens = new ConcurrentHashMap<>();
  private final List<Asked> asked = new CopyOnWriteArrayList<>();

  /** Makes {@code token} valid for service account {@code ns/sa} and {@code audiences}. */
  public FakeTokenReviewer serviceAccount(
      String token, String ns, String sa, List<String> audiences) {
    tokens.put(token, new Review(true, "system:serviceaccount:" + ns + ":" + sa, audiences, ""));
    return this;
  }

  /** Makes {@code token} answer with {@code review}. */
  public FakeTokenReviewer answer(String token, Review review) {
    tokens.put(token, review);
    return this;
  }

  public List<Asked> asked() {
    return List.copyOf(asked);
  }

  @Override
  public Review review(String token, List<String> audiences) {
    asked.add(new Asked(token, audiences));
    Review r = tokens.get(token);
    if (r == null) {
      return new Review(false, "", List.of(), "token not found");
    }
    // Like the API server: only the requested audiences the token has are reported.
    return new Review(
        r.authenticated(),
        r.username(),
        r.audiences().stream().filter(audiences::contains).toList(),
        r.error());
  }
}
