package dev.meshctl.controlplane.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What {@code /validate} answers for each kind of object (the HTTPS path is in the e2e test). */
class ValidationHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode answer(String object) throws Exception {
    return ValidationHandler.answer(
            "admission.k8s.io/v1", "u", object == null ? null : JSON.readTree(object))
        .path("response");
  }

  @Test
  void objectsOfOtherGroupsAndDeletesAreAllowed() throws Exception {
    assertThat(
            answer("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"}}")
                .path("allowed")
                .asBoolean())
        .isTrue();
    assertThat(answer(null).path("allowed").asBoolean()).isTrue();
  }

  @Test
  void anUndecodableNetworkingObjectIsRefusedWithTheDecodersMessages() throws Exception {
    JsonNode r =
        answer(
            "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"DestinationRule\","
                + "\"metadata\":{\"name\":\"d\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"host\":\"reviews\",\"subsetz\":[]}}");
    assertThat(r.path("allowed").asBoolean()).isFalse();
    assertThat(r.path("status").path("message").asText())
        .startsWith("DestinationRule shop/d: spec.subsetz: ");
  }

  @Test
  void anInvalidSecurityObjectIsRefusedAndAValidOneAllowed() throws Exception {
    JsonNode bad =
        answer(
            "{\"apiVersion\":\"security.istio.io/v1\",\"kind\":\"AuthorizationPolicy\","
                + "\"metadata\":{\"name\":\"ext\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"action\":\"CUSTOM\",\"rules\":[{}]}}");
    assertThat(bad.path("allowed").asBoolean()).isFalse();
    assertThat(bad.path("status").path("message").asText())
        .isEqualTo("AuthorizationPolicy shop/ext: spec.provider.name: required with action CUSTOM");
    JsonNode good =
        answer(
            "{\"apiVersion\":\"security.istio.io/v1beta1\",\"kind\":\"PeerAuthentication\","
                + "\"metadata\":{\"name\":\"default\",\"namespace\":\"shop\"},"
                + "\"spec\":{\"mtls\":{\"mode\":\"STRICT\"}}}");
    assertThat(good.path("allowed").asBoolean()).isTrue();
  }
}
