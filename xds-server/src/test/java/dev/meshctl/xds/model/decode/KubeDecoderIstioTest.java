package dev.meshctl.xds.model.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.IstioObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** networking.istio.io documents go through api-crds' decoder and validator. */
class KubeDecoderIstioTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void aValidVirtualServiceBecomesAnIstioObject() throws Exception {
    List<Decoded> out =
        decode(
            """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata: {name: reviews, namespace: prod}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v2}
            """);
    assertThat(out).hasSize(1);
    Decoded.Ok ok = (Decoded.Ok) out.get(0);
    assertThat(ok.object()).isInstanceOf(IstioObject.class);
    assertThat(ok.object().key())
        .isEqualTo(ConfigKey.of(ConfigKind.VIRTUAL_SERVICE, "prod", "reviews"));
    assertThat(ok.warnings()).isEmpty();
  }

  @Test
  void validationErrorsDropTheObjectWithEveryMessage() throws Exception {
    Decoded d =
        decode(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  hosts: [reviews]
                  http:
                  - timeout: 0.5ms
                    route:
                    - destination: {host: reviews}
                      weight: -3
                """)
            .get(0);
    assertThat(d).isInstanceOf(Decoded.Invalid.class);
    assertThat(((Decoded.Invalid) d).messages())
        .isNotEmpty()
        .allMatch(m -> m.startsWith("VirtualService default/reviews: spec.http[0]."));
    assertThat(((Decoded.Invalid) d).messages()).anyMatch(m -> m.contains(".weight: "));
    assertThat(((Decoded.Invalid) d).messages()).anyMatch(m -> m.contains(".timeout: "));
  }

  @Test
  void decodeErrorsNameTheFieldPath() throws Exception {
    Decoded d =
        decode(
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                  subsets: [{name: v1, lables: {version: v1}}]
                """)
            .get(0);
    assertThat(((Decoded.Invalid) d).messages())
        .containsExactly(
            "DestinationRule default/reviews: spec.subsets[0].lables: unknown field (did you mean"
                + " \"labels\"?)");
  }

  @Test
  void warningsKeepTheObject() throws Exception {
    Decoded d =
        decode(
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                  trafficPolicy:
                    loadBalancer: {simple: LEAST_CONN}
                """)
            .get(0);
    Decoded.Ok ok = (Decoded.Ok) d;
    assertThat(ok.object().key().kind()).isEqualTo(ConfigKind.DESTINATION_RULE);
    assertThat(ok.warnings())
        .singleElement()
        .satisfies(
            w ->
                assertThat(w)
                    .startsWith(
                        "DestinationRule default/reviews: spec.trafficPolicy.loadBalancer.simple: "));
  }

  @Test
  void otherNetworkingKindsAreSkipped() throws Exception {
    Decoded d =
        decode(
                """
                apiVersion: networking.istio.io/v1beta1
                kind: ProxyConfig
                metadata: {name: f}
                spec: {concurrency: 2}
                """)
            .get(0);
    assertThat(d).isInstanceOf(Decoded.Skipped.class);
  }

  private static List<Decoded> decode(String yaml) throws Exception {
    JsonNode node = YAML.readTree(yaml);
    return KubeDecoder.decode(node);
  }
}
