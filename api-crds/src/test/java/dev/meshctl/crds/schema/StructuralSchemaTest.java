package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our CRD schemas are structural (so an API server accepts them), and the check can fail. */
class StructuralSchemaTest {
  @Test
  void everyGeneratedSchemaIsStructural() {
    List<String> violations = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Map<String, JsonNode>> kind : CrdSchemas.ours().entrySet()) {
      for (Map.Entry<String, JsonNode> v : kind.getValue().entrySet()) {
        checked++;
        StructuralCheck.violations(v.getValue())
            .forEach(m -> violations.add(kind.getKey() + " " + v.getKey() + " " + m));
      }
    }
    // 7 networking kinds x 3 versions + EnvoyFilter (v1alpha3) + 3 security kinds x 2 versions.
    assertThat(checked).isEqualTo(28);
    assertThat(violations).isEmpty();
  }

  @Test
  void istiosOwnSchemasPassTheCheck() {
    // Guards against a check stricter than the API server: Istio's CRDs are installed everywhere.
    List<String> violations = new ArrayList<>();
    CrdSchemas.istio()
        .forEach(
            (kind, versions) ->
                versions.forEach(
                    (v, schema) ->
                        StructuralCheck.violations(schema)
                            .forEach(m -> violations.add(kind + " " + v + " " + m))));
    assertThat(violations).isEmpty();
  }

  @Test
  void nonStructuralSchemasAreReported() {
    JsonNode bad =
        CrdSchemas.readYaml(
                String.join(
                    "\n",
                    "type: object",
                    "properties:",
                    "  untyped: {description: no type}",
                    "  both:",
                    "    type: object",
                    "    properties: {a: {type: string}}",
                    "    additionalProperties: {type: string}",
                    "  closed: {type: object, additionalProperties: false}",
                    "  list: {type: array}",
                    "  empty: {type: object}",
                    "  level: {type: string, enum: [A, 1]}",
                    "  oneof:",
                    "    type: object",
                    "    properties: {a: {type: string}}",
                    "    oneOf: [{required: [a]}, {type: object, properties: {b: {}}}]",
                    "  port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type:"
                        + " string}]}",
                    "  free: {x-kubernetes-preserve-unknown-fields: true}"))
            .get(0);
    assertThat(StructuralCheck.violations(bad))
        .containsExactlyInAnyOrder(
            ".both: both properties and additionalProperties",
            ".closed: additionalProperties must be a schema",
            ".closed: object without properties or additionalProperties (everything is pruned)",
            ".empty: object without properties or additionalProperties (everything is pruned)",
            ".level: enum value 1 is not a string",
            ".list: array without items",
            ".oneof.oneOf[1]: type inside a logical junctor",
            ".oneof.oneOf[1]: properties inside a logical junctor",
            ".untyped: no type");
  }
}
