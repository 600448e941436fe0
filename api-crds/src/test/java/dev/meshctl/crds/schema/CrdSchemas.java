package dev.meshctl.crds.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.meshctl.crds.Conformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Test helpers: finding a version's schema in CRDs, walking it, validating with networknt. */
final class CrdSchemas {
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);

  private CrdSchemas() {}

  /** kind → version → openAPIV3Schema, from CRD documents. */
  static Map<String, Map<String, JsonNode>> byKindAndVersion(List<? extends JsonNode> crds) {
    Map<String, Map<String, JsonNode>> out = new TreeMap<>();
    for (JsonNode crd : crds) {
      Map<String, JsonNode> versions = new TreeMap<>();
      for (JsonNode v : crd.path("spec").path("versions")) {
        versions.put(v.path("name").asText(), v.path("schema").path("openAPIV3Schema"));
      }
      out.put(crd.path("spec").path("names").path("kind").asText(), versions);
    }
    return out;
  }

  /** Ours, as generated. */
  static Map<String, Map<String, JsonNode>> ours() {
    return byKindAndVersion(CrdGenerator.crds());
  }

  /** Istio's published CRDs from the conformance data (skips the test when missing). */
  static Map<String, Map<String, JsonNode>> istio() {
    String text = Conformance.read(Conformance.dir().resolve("crds/crd-all.gen.yaml"));
    return byKindAndVersion(readYaml(text));
  }

  /** Every object document of a YAML stream. */
  static List<JsonNode> readYaml(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && n.isObject()) {
          docs.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /**
   * Every property path of a schema ({@code .spec.http[].match[].headers{}.exact}) → its node:
   * through {@code properties}, {@code items} ({@code []}) and {@code additionalProperties} ({@code
   * {}}). The root is {@code ""}.
   */
  static Map<String, JsonNode> paths(JsonNode schema) {
    Map<String, JsonNode> out = new TreeMap<>();
    walk(schema, "", out);
    return out;
  }

  private static void walk(JsonNode n, String path, Map<String, JsonNode> out) {
    out.put(path, n);
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      walk(e.getValue(), path + "." + e.getKey(), out);
    }
    if (n.has("items")) {
      walk(n.get("items"), path + "[]", out);
    }
    if (n.path("additionalProperties").isObject()) {
      walk(n.get("additionalProperties"), path + "{}", out);
    }
  }

  /**
   * The JSON Schema that checks what the API server checks with {@code kubectl apply
   * --validate=strict}: the CRD schema, plus {@code additionalProperties: false} on every object
   * with {@code properties} that does not preserve unknown fields (the API server refuses or prunes
   * unknown fields there, which plain JSON Schema would allow), plus the fields every object has
   * ({@code apiVersion}, {@code kind}, {@code metadata}). x-kubernetes-* and CEL are ignored by
   * networknt.
   */
  static Schema forValidation(JsonNode openApiV3Schema) {
    ObjectNode root = openApiV3Schema.deepCopy();
    closeObjects(root);
    ObjectNode props = (ObjectNode) root.get("properties");
    props.putObject("apiVersion").put("type", "string");
    props.putObject("kind").put("type", "string");
    props.putObject("metadata").put("type", "object");
    return REGISTRY.getSchema(root.toString());
  }

  private static void closeObjects(JsonNode n) {
    if (n.isArray()) {
      n.forEach(CrdSchemas::closeObjects);
      return;
    }
    if (!n.isObject()) {
      return;
    }
    if (n.has("properties") && !n.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
      ((ObjectNode) n).put("additionalProperties", false);
    }
    for (String k : List.of("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf")) {
      if (n.has(k)) {
        closeObjects(n.get(k));
      }
    }
    n.path("properties").forEach(CrdSchemas::closeObjects);
  }

  /** A WorkloadEntry object whose spec is {@code spec}. */
  static ObjectNode workloadEntry(JsonNode spec) {
    ObjectNode we = new YAMLMapper().createObjectNode();
    we.put("apiVersion", "networking.istio.io/v1").put("kind", "WorkloadEntry");
    we.putObject("metadata").put("name", "endpoint");
    we.set("spec", spec.deepCopy());
    return we;
  }

  /** Validation errors as {@code <instance path>: <message>}, sorted; empty when valid. */
  static List<String> validate(Schema schema, JsonNode doc) {
    List<Error> errors = schema.validate(doc);
    return errors.stream()
        .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
        .sorted()
        .collect(Collectors.toList());
  }

  /** Schemas for validation, cached per kind/version. */
  static final class Validators {
    private final Map<String, Map<String, JsonNode>> crds;
    private final Map<String, Schema> cache = new LinkedHashMap<>();

    Validators(Map<String, Map<String, JsonNode>> crds) {
      this.crds = crds;
    }

    /** The schema of {@code kind} at {@code version}, or null when not served. */
    Schema get(String kind, String version) {
      JsonNode s = crds.getOrDefault(kind, Map.of()).get(version);
      return s == null ? null : cache.computeIfAbsent(kind + "/" + version, k -> forValidation(s));
    }
  }
}
