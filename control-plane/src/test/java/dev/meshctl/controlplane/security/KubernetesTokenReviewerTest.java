package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.server.AuthenticationException;
import dev.meshctl.ca.server.Caller;
import dev.meshctl.ca.server.KubernetesJwtAuthenticator;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Metadata;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The TokenReview call against the fabric8 mock API server (expectations mode: CRUD mode cannot
 * answer a TokenReview), seen through the JWT authenticator as the CA and secure xDS use it: what
 * is sent, and the exact message for each way a token fails.
 */
@EnableKubernetesMockClient
class KubernetesTokenReviewerTest {
  private static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  KubernetesMockServer server;
  KubernetesClient client;

  private static TokenReview status(
      boolean authenticated, String user, List<String> audiences, String error) {
    return new TokenReviewBuilder()
        .withNewStatus()
        .withAuthenticated(authenticated)
        .withNewUser()
        .withUsername(user)
        .endUser()
        .withAudiences(audiences)
        .withError(error)
        .endStatus()
        .build();
  }

  private Optional<Caller> authenticate(String token) throws AuthenticationException {
    Metadata h = new Metadata();
    h.put(AUTHORIZATION, "Bearer " + token);
    return new KubernetesJwtAuthenticator(new KubernetesTokenReviewer(client))
        .authenticate(h, null);
  }

  @Test
  void aValidServiceAccountTokenBecomesThatServiceAccount() throws Exception {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            201, status(true, "system:serviceaccount:shop:reviews", List.of("istio-ca"), null))
        .once();

    Optional<Caller> caller = authenticate("tok-123");

    assertThat(caller).contains(new Caller("shop", "reviews", Caller.Method.KUBERNETES_JWT));
    TokenReview sent =
        Serialization.unmarshal(server.getLastRequest().getBody().readUtf8(), TokenReview.class);
    assertThat(sent.getSpec().getToken()).isEqualTo("tok-123");
    assertThat(sent.getSpec().getAudiences()).containsExactly("istio-ca");
    assertThat(server.getLastRequest().getMethod()).isEqualTo("POST");
  }

  @Test
  void anUnauthenticatedTokenIsRejectedWithTheApiServersReason() {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(201, status(false, "", List.of(), "[invalid bearer token, token expired]"))
        .once();

    assertThatThrownBy(() -> authenticate("expired"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("the token was rejected: [invalid bearer token, token expired]");
  }

  @Test
  void aTokenForAnotherAudienceIsRejected() {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            201, status(true, "system:serviceaccount:shop:reviews", List.of("kubernetes"), null))
        .once();

    assertThatThrownBy(() -> authenticate("api-token"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("the token's audiences [kubernetes] do not include [istio-ca]");
  }

  @Test
  void anApiFailureIsReportedAsSuchNotAsARejection() {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "tokenreviews.authentication.k8s.io is forbidden: User"
                        + " \"system:serviceaccount:istio-system:istiod\" cannot create resource")
                .build())
        .once();

    assertThatThrownBy(() -> authenticate("tok"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage(
            "the token could not be reviewed: TokenReview failed with HTTP 403:"
                + " tokenreviews.authentication.k8s.io is forbidden: User"
                + " \"system:serviceaccount:istio-system:istiod\" cannot create resource");
  }

  @Test
  void aReplyWithoutStatusIsAnApiFailure() {
    server.expect().post().withPath(PATH).andReturn(201, new TokenReview()).once();

    assertThatThrownBy(() -> new KubernetesTokenReviewer(client).review("t", List.of("istio-ca")))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("TokenReview failed: the API server returned no status");
  }
}
