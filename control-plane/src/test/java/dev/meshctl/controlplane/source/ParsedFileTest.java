package dev.meshctl.controlplane.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import org.junit.jupiter.api.Test;

/** Istio config in a watched file: errors drop the object, warnings are reported beside it. */
class ParsedFileTest {

  @Test
  void warningsAreReportedWithAMarkerAndTheObjectIsKept() {
    ParsedFile f =
        ParsedFile.parse(
            "dr.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer: {simple: LEAST_CONN}
            """);
    assertThat(f.objects())
        .containsOnlyKeys(ConfigKey.of(ConfigKind.DESTINATION_RULE, "default", "reviews"));
    assertThat(f.diagnostics())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d)
                    .startsWith(
                        "dr.yaml:0 warning: DestinationRule default/reviews:"
                            + " spec.trafficPolicy.loadBalancer.simple: "));
    assertThat(f.clean()).isTrue();
  }

  @Test
  void validationErrorsDropTheObjectAndNameFileDocumentAndField() {
    ParsedFile f =
        ParsedFile.parse(
            "vs.yaml",
            """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews}
            spec:
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
                  weight: -3
            """);
    assertThat(f.objects())
        .containsOnlyKeys(ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"));
    assertThat(f.diagnostics())
        .isNotEmpty()
        .allMatch(d -> d.startsWith("vs.yaml:1 VirtualService default/reviews: spec.http[0]."));
    assertThat(f.clean()).isFalse();
  }
}
