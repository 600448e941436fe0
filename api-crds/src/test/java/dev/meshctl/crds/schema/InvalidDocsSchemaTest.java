package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Documents that break the schema are refused with a message naming the field: wrong enum value,
 * wrong type, unknown field, two oneof members, a malformed duration, a negative uint32. The same
 * document without the mistake is accepted, so each case fails for its own reason.
 */
class InvalidDocsSchemaTest {
  private final CrdSchemas.Validators validators = new CrdSchemas.Validators(CrdSchemas.ours());

  private List<String> errors(String yaml) {
    JsonNode doc = CrdSchemas.readYaml(yaml).get(0);
    String apiVersion = doc.path("apiVersion").asText();
    return CrdSchemas.validate(
        validators.get(
            doc.path("kind").asText(), apiVersion.substring(apiVersion.indexOf('/') + 1)),
        doc);
  }

  private static String destinationRule(String trafficPolicy) {
    return String.join(
        "\n",
        "apiVersion: networking.istio.io/v1beta1",
        "kind: DestinationRule",
        "metadata: {name: reviews}",
        "spec:",
        "  host: reviews",
        "  trafficPolicy: " + trafficPolicy);
  }

  private static String virtualService(String http) {
    return String.join(
        "\n",
        "apiVersion: networking.istio.io/v1alpha3",
        "kind: VirtualService",
        "metadata: {name: reviews}",
        "spec:",
        "  hosts: [reviews]",
        "  http: [" + http + "]");
  }

  @Test
  void unknownEnumValueIsRefused() {
    assertThat(errors(destinationRule("{loadBalancer: {simple: ROUND_ROBIN}}"))).isEmpty();
    assertThat(errors(destinationRule("{loadBalancer: {simple: ROUND_ROBBIN}}")))
        .containsExactly(
            "/spec/trafficPolicy/loadBalancer/simple: does not have a value in the enumeration"
                + " [\"UNSPECIFIED\", \"LEAST_CONN\", \"RANDOM\", \"PASSTHROUGH\", \"ROUND_ROBIN\","
                + " \"LEAST_REQUEST\"]");
  }

  @Test
  void wrongTypeIsRefused() {
    String ok = virtualService("{route: [{destination: {host: reviews}}]}");
    assertThat(errors(ok)).isEmpty();
    assertThat(errors(ok.replace("hosts: [reviews]", "hosts: reviews")))
        .containsExactly("/spec/hosts: string found, array expected");
    assertThat(errors(virtualService("{route: [{destination: {host: reviews}, weight: \"50\"}]}")))
        .containsExactly("/spec/http/0/route/0/weight: string found, integer expected");
  }

  @Test
  void unknownFieldIsRefused() {
    assertThat(errors(virtualService("{rout: [{destination: {host: reviews}}]}")))
        .containsExactly(
            "/spec/http/0: property 'rout' is not defined in the schema and the schema does not"
                + " allow additional properties");
  }

  @Test
  void twoMembersOfAOneofAreRefused() {
    assertThat(errors(virtualService("{match: [{uri: {prefix: /a}}]}"))).isEmpty();
    assertThat(errors(virtualService("{match: [{uri: {}}]}"))).isEmpty();
    // oneOf branch 0 is "none set"; branches 1-3 are exact, prefix, regex.
    assertThat(errors(virtualService("{match: [{uri: {exact: /a, prefix: /a}}]}")))
        .contains(
            "/spec/http/0/match/0/uri: must be valid to one and only one schema, but 2 are valid"
                + " with indexes '1, 2'");
    assertThat(
            errors(
                destinationRule(
                    "{loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}")))
        .contains(
            "/spec/trafficPolicy/loadBalancer: must be valid to one and only one schema, but 2 are"
                + " valid with indexes '1, 2'");
  }

  @Test
  void malformedDurationIsRefused() {
    assertThat(errors(virtualService("{timeout: 1.5s}"))).isEmpty();
    assertThat(errors(virtualService("{timeout: 1h30m}"))).isEmpty();
    assertThat(errors(virtualService("{timeout: 5x}")))
        .containsExactly(
            "/spec/http/0/timeout: does not match the regex pattern "
                + RecordSchema.DURATION_PATTERN);
  }

  @Test
  void negativeUnsignedIsRefused() {
    assertThat(errors(virtualService("{match: [{port: -1}]}")))
        .containsExactly("/spec/http/0/match/0/port: must have a minimum value of 0");
  }

  @Test
  void missingRequiredFieldIsRefused() {
    assertThat(errors(destinationRule("{}").replace("  host: reviews\n", "")))
        .containsExactly("/spec: required property 'host' not found");
    assertThat(errors(virtualService("{route: [{weight: 100}]}")))
        .containsExactly("/spec/http/0/route/0: required property 'destination' not found");
  }

  @Test
  void statusKeepsUnknownFields() {
    String doc =
        virtualService("{route: [{destination: {host: reviews}}]}")
            + "\nstatus: {observedGeneration: 3, conditions: [{type: Reconciled, status: 'True'}],"
            + " somethingNewer: {x: 1}}";
    assertThat(errors(doc)).isEmpty();
    assertThat(errors(doc.replace("status: 'True'", "status: [1]")))
        .containsExactly("/status/conditions/0/status: array found, string expected");
  }
}
