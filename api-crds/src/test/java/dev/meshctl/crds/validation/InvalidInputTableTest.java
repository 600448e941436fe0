package dev.meshctl.crds.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.IstioKinds;
import dev.meshctl.crds.decode.Decoded;
import dev.meshctl.crds.decode.IstioConfigDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table of invalid inputs ({@code invalid-cases.txt}): each one, decoded and validated, gives
 * exactly the listed findings (decode errors, or validation errors and warnings), each naming the
 * resource, field path and value.
 */
class InvalidInputTableTest {

  static List<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (InputStream in = InvalidInputTableTest.class.getResourceAsStream("/invalid-cases.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split(" \\| ", 3);
        out.add(Arguments.of(parts[0].trim(), parts[1].trim(), parts[2].trim()));
      }
    }
    return out;
  }

  @Test
  void thereAreAtLeastSixtyCasesCoveringEveryKind() throws IOException {
    List<Arguments> all = cases();
    assertThat(all).hasSizeGreaterThanOrEqualTo(60);
    assertThat(all.stream().map(a -> (String) a.get()[0]).distinct())
        .containsExactlyInAnyOrder(
            "VirtualService",
            "DestinationRule",
            "Gateway",
            "ServiceEntry",
            "Sidecar",
            "WorkloadEntry",
            "WorkloadGroup",
            "EnvoyFilter",
            "PeerAuthentication",
            "AuthorizationPolicy",
            "RequestAuthentication");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void givesExactlyTheListedFindings(String kind, String spec, String expected) {
    assertThat(findings(kind, spec))
        .containsExactlyElementsOf(
            Stream.of(expected.split(" ;; "))
                .map(
                    e ->
                        e.startsWith("WARN ")
                            ? "WARN " + resource(kind) + ": " + e.substring(5)
                            : resource(kind) + ": " + e)
                .toList());
  }

  private static String resource(String kind) {
    return kind + " ns1/case";
  }

  /** Decode errors, else validation errors then warnings (the latter prefixed "WARN "). */
  static List<String> findings(String kind, String spec) {
    String yaml =
        "apiVersion: "
            + IstioKinds.byKind(kind).orElseThrow().storageApiVersion()
            + "\nkind: "
            + kind
            + "\nmetadata: {name: case, namespace: ns1}\nspec: "
            + spec
            + "\n";
    Decoded d = IstioConfigDecoder.decodeYaml(yaml).get(0);
    if (d instanceof Decoded.Invalid inv) {
      return inv.messages();
    }
    ValidationReport r = NetworkingValidator.validate(((Decoded.Ok) d).config());
    List<String> out = new ArrayList<>(r.errors());
    r.warnings().forEach(w -> out.add("WARN " + w));
    return out;
  }

  @Test
  void validInputsGiveNoFindings() {
    for (String[] c :
        Arrays.asList(
            new String[] {
              "VirtualService",
              "{hosts: [r], http: [{match: [{headers: {x-a: {}}}], route: [{destination: {host: r, subset: v1}, weight: 90}, {destination: {host: r}, weight: 10}], timeout: 1m30s}]}"
            },
            new String[] {
              "DestinationRule",
              "{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, maglev: {tableSize: 65537}}}}}"
            },
            new String[] {"Sidecar", "{egress: [{hosts: [\"./*\", \"istio-system/*\", \"~/*\"]}]}"},
            new String[] {
              "Sidecar",
              "{egress: [{port: {number: 9080, protocol: HTTP, name: http}, bind: 127.0.0.1, captureMode: NONE, hosts: [\"./*\"]}, {port: {number: 0}, bind: \"unix:///var/run/a.sock\", hosts: [\"./*\"]}, {hosts: [\"*/*\"]}]}"
            },
            new String[] {
              "PeerAuthentication",
              "{selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}, portLevelMtls: {\"8080\": {mode: DISABLE}}}"
            },
            new String[] {
              "AuthorizationPolicy",
              "{action: DENY, rules: [{from: [{source: {notNamespaces: [ns1]}}], to: [{operation: {ports: [\"8080\"], paths: [\"/a/{*}/b/{**}\"]}}], when: [{key: \"request.headers[x-a]\", values: [v]}, {key: source.ip, notValues: [10.0.0.0/8]}]}]}"
            },
            new String[] {
              "AuthorizationPolicy",
              "{action: CUSTOM, provider: {name: ext}, rules: [{to: [{operation: {paths: [/admin]}}]}]}"
            },
            new String[] {
              "RequestAuthentication",
              "{selector: {matchLabels: {app: a}}, jwtRules: [{issuer: i, jwksUri: \"https://idp.example.com/keys\", fromHeaders: [{name: x-jwt, prefix: \"Bearer \"}], outputClaimToHeaders: [{header: x-sub, claim: sub}], timeout: 5s}]}"
            },
            new String[] {
              "WorkloadGroup",
              "{metadata: {labels: {app: vm}}, template: {serviceAccount: sa, ports: {http: 8080}}, probe: {periodSeconds: 5, httpGet: {path: /ready, port: 8080}}}"
            })) {
      assertThat(findings(c[0], c[1])).as(c[1]).isEmpty();
    }
  }
}
