package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import dev.meshctl.crds.Conformance;
import dev.meshctl.crds.IstioKinds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Istio networking and security document of a kind we serve, anywhere under the conformance
 * {@code samples/}, {@code config/tests/testdata/} and {@code authz/}, is accepted by our CRD
 * schema for its version (checked with networknt's JSON Schema validator, unknown fields refused as
 * under strict field validation).
 */
class ConformanceSchemaTest {
  /** Documents the API server would refuse; same reason as ConformanceDecodeTest. */
  private static final Map<String, List<String>> EXPECTED_FAILURES =
      Map.of(
          "config/tests/testdata/config/rule-websocket-route.yaml VirtualService websocket-route",
          List.of(
              "/spec/http/0: property 'websocketUpgrade' is not defined in the schema and the"
                  + " schema does not allow additional properties"),
          "config/tests/testdata/config/rule-websocket-route.yaml VirtualService websocket-route2",
          List.of(
              "/spec/http/0: property 'websocketUpgrade' is not defined in the schema and the"
                  + " schema does not allow additional properties"));

  @Test
  void everyConformanceDocumentValidatesAgainstItsCrd() {
    Path root = Conformance.dir();
    CrdSchemas.Validators validators = new CrdSchemas.Validators(CrdSchemas.ours());
    Map<String, List<String>> failures = new TreeMap<>();
    TreeSet<String> otherKinds = new TreeSet<>();
    Map<String, Integer> checked = new TreeMap<>();
    for (Path file : yamlFiles(root)) {
      String rel = root.relativize(file).toString();
      for (JsonNode doc : CrdSchemas.readYaml(Conformance.read(file))) {
        String apiVersion = doc.path("apiVersion").asText();
        String group =
            apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (!IstioKinds.isModelledGroup(group)) {
          continue;
        }
        String kind = doc.path("kind").asText();
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        Schema schema = validators.get(kind, version);
        if (schema == null) {
          otherKinds.add(kind + " " + version);
          continue;
        }
        checked.merge(kind + " " + version, 1, Integer::sum);
        String what = rel + " " + kind + " " + doc.path("metadata").path("name").asText();
        List<String> errors = CrdSchemas.validate(schema, doc);
        if (!errors.isEmpty()) {
          failures.put(what, errors);
        }
        // The data is all v1; every served version has the same schema and must say the same.
        List<String> served =
            IstioKinds.byGroupKind(group, kind).map(k -> k.versions()).orElse(List.of());
        assertThat(served).as(kind).contains(version);
        for (String other : served) {
          List<String> e = CrdSchemas.validate(validators.get(kind, other), doc);
          if (!e.equals(errors)) {
            failures.put(what + " as " + other, e);
          }
        }
        // A ServiceEntry endpoint is a WorkloadEntry spec: check it as a WorkloadEntry object.
        for (JsonNode endpoint : doc.path("spec").path("endpoints")) {
          ObjectNode we = CrdSchemas.workloadEntry(endpoint);
          checked.merge("WorkloadEntry (from ServiceEntry endpoints) v1", 1, Integer::sum);
          List<String> e = CrdSchemas.validate(validators.get("WorkloadEntry", "v1"), we);
          if (!e.isEmpty()) {
            failures.put(what + " endpoint as WorkloadEntry", e);
          }
        }
      }
    }
    System.out.println("checked per kind/version: " + checked + "; not ours: " + otherKinds);
    assertThat(failures).isEqualTo(EXPECTED_FAILURES);
    // Every kind we serve is exercised (WorkloadEntry only through ServiceEntry endpoints).
    assertThat(checked)
        .containsKeys(
            "VirtualService v1",
            "DestinationRule v1",
            "Gateway v1",
            "ServiceEntry v1",
            "Sidecar v1",
            "WorkloadEntry (from ServiceEntry endpoints) v1",
            "PeerAuthentication v1",
            "AuthorizationPolicy v1");
    assertThat(checked.get("AuthorizationPolicy v1")).isGreaterThan(20);
    assertThat(checked.get("VirtualService v1") + checked.get("DestinationRule v1"))
        .isGreaterThan(60);
    assertThat(otherKinds).isEmpty();
    assertThat(checked).containsKey("EnvoyFilter v1alpha3");
  }

  private static List<Path> yamlFiles(Path root) {
    List<Path> out = new ArrayList<>();
    for (String dir : List.of("samples", "config/tests/testdata", "authz")) {
      try (Stream<Path> s = Files.walk(root.resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
            .sorted()
            .forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }
}
