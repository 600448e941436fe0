package dev.meshctl.crds.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the rules that make a CRD schema <em>structural</em> (what the API server requires of
 * {@code apiextensions.k8s.io/v1} CRDs), returning one message per violation:
 *
 * <ul>
 *   <li>every property, item and additionalProperties schema has a {@code type}, unless it is
 *       {@code x-kubernetes-int-or-string} or preserves unknown fields;
 *   <li>{@code properties} and {@code additionalProperties} are not both set, and {@code
 *       additionalProperties} is a schema, not a boolean;
 *   <li>an array has {@code items}; an object has {@code properties} or {@code
 *       additionalProperties} or preserves unknown fields (else everything in it is pruned);
 *   <li>inside {@code allOf}/{@code anyOf}/{@code oneOf}/{@code not} only value validations appear:
 *       no {@code type}, {@code properties}, {@code items}, {@code additionalProperties}, {@code
 *       description}, {@code default}, {@code nullable}, except the {@code anyOf} of an
 *       int-or-string;
 *   <li>{@code enum} values have the node's type.
 * </ul>
 */
final class StructuralCheck {
  private static final List<String> JUNCTORS = List.of("allOf", "anyOf", "oneOf", "not");
  private static final Set<String> FORBIDDEN_IN_JUNCTORS =
      Set.of(
          "type",
          "properties",
          "items",
          "additionalProperties",
          "description",
          "default",
          "nullable",
          "x-kubernetes-preserve-unknown-fields");

  private StructuralCheck() {}

  /** The violations in {@code schema} (an {@code openAPIV3Schema}); empty when structural. */
  static List<String> violations(JsonNode schema) {
    List<String> out = new ArrayList<>();
    field(schema, "", out);
    return out;
  }

  private static void field(JsonNode n, String path, List<String> out) {
    String at = path.isEmpty() ? "<root>" : path;
    boolean intOrString = n.path("x-kubernetes-int-or-string").asBoolean();
    boolean preserve = n.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    String type = n.path("type").asText("");
    if (type.isEmpty() && !intOrString && !preserve) {
      out.add(at + ": no type");
    }
    if (n.has("properties") && n.has("additionalProperties")) {
      out.add(at + ": both properties and additionalProperties");
    }
    if (n.has("additionalProperties") && !n.get("additionalProperties").isObject()) {
      out.add(at + ": additionalProperties must be a schema");
    }
    if (type.equals("array") && !n.has("items")) {
      out.add(at + ": array without items");
    }
    if (type.equals("object")
        && !n.has("properties")
        && !n.path("additionalProperties").isObject()
        && !preserve) {
      out.add(at + ": object without properties or additionalProperties (everything is pruned)");
    }
    for (JsonNode value : n.path("enum")) {
      if (!hasType(value, type)) {
        out.add(at + ": enum value " + value + " is not a " + type);
      }
    }
    for (String j : JUNCTORS) {
      if (n.has(j)) {
        junctor(n.get(j), at + "." + j, intOrString && j.equals("anyOf"), out);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      field(e.getValue(), path + "." + e.getKey(), out);
    }
    if (n.has("items")) {
      field(n.get("items"), path + "[]", out);
    }
    if (n.path("additionalProperties").isObject()) {
      field(n.get("additionalProperties"), path + "{}", out);
    }
  }

  private static void junctor(JsonNode n, String at, boolean intOrStringTypes, List<String> out) {
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        junctor(n.get(i), at + "[" + i + "]", intOrStringTypes, out);
      }
      return;
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      boolean allowedType = intOrStringTypes && k.equals("type");
      if (FORBIDDEN_IN_JUNCTORS.contains(k) && !allowedType) {
        out.add(at + ": " + k + " inside a logical junctor");
      }
    }
    for (String j : JUNCTORS) {
      if (n.has(j)) {
        junctor(n.get(j), at + "." + j, false, out);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true;
    };
  }
}
