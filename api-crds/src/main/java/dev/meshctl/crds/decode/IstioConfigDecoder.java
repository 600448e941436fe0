package dev.meshctl.crds.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.IstioKinds;
import dev.meshctl.crds.IstioSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes Kubernetes-style documents ({@code apiVersion}, {@code kind}, {@code metadata}, {@code
 * spec}) of the {@code networking.istio.io} and {@code security.istio.io} kinds into {@link
 * IstioConfig}. Strict: unknown fields, wrong types, unknown enum values and two members of one
 * oneof are all reported, each with its field path; nothing is dropped silently. Stateless; any
 * thread.
 */
public final class IstioConfigDecoder {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> TOP_LEVEL =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");

  /** ObjectMeta fields; those we do not use are accepted and ignored (they are not config). */
  private static final Set<String> METADATA =
      Set.of(
          "name",
          "namespace",
          "labels",
          "annotations",
          "generation",
          "resourceVersion",
          "uid",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "generateName",
          "finalizers",
          "ownerReferences",
          "managedFields",
          "selfLink");

  private IstioConfigDecoder() {}

  /** Decodes every document of a (multi-document) YAML text; empty documents are left out. */
  public static List<Decoded> decodeYaml(String yaml) {
    List<Decoded> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          out.add(decode(doc));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Decodes one document. */
  public static Decoded decode(JsonNode doc) {
    if (!doc.isObject()) {
      return new Decoded.Invalid(
          "document", List.of(": expected an object, got " + RecordDecoder.describe(doc)));
    }
    String apiVersion = doc.path("apiVersion").asText("");
    String kindName = doc.path("kind").asText("");
    JsonNode metadata = doc.path("metadata");
    String name = metadata.path("name").asText("");
    String namespace = metadata.path("namespace").asText("default");
    String what = kindName + " " + namespace + "/" + name;
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    if (!IstioKinds.isModelledGroup(group)) {
      return new Decoded.Skipped(
          what, "apiVersion " + apiVersion + " is not in " + IstioKinds.GROUPS);
    }
    Optional<IstioKind> kind = IstioKinds.byGroupKind(group, kindName);
    if (kind.isEmpty()) {
      return new Decoded.Skipped(what, "kind " + kindName + " is not supported");
    }
    List<String> errors = new ArrayList<>();
    if (!IstioKinds.isServedApiVersion(kind.get(), apiVersion)) {
      errors.add(
          "apiVersion: unsupported version \""
              + apiVersion
              + "\", expected one of "
              + kind.get().versions());
    }
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!TOP_LEVEL.contains(key)) {
        errors.add(key + ": " + RecordDecoder.unknownField(key, TOP_LEVEL));
      }
    }
    Map<String, String> labels = Map.of();
    Map<String, String> annotations = Map.of();
    Long generation = null;
    String resourceVersion = null;
    if (!metadata.isObject()) {
      errors.add("metadata: required");
    } else {
      for (Iterator<String> it = metadata.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!METADATA.contains(key)) {
          errors.add(
              Paths.child("metadata", key) + ": " + RecordDecoder.unknownField(key, METADATA));
        }
      }
      if (name.isEmpty()) {
        errors.add("metadata.name: required");
      }
      if (metadata.has("namespace") && !metadata.get("namespace").isTextual()) {
        errors.add(
            "metadata.namespace: expected a string, got "
                + RecordDecoder.describe(metadata.get("namespace")));
      }
      labels = stringMap(metadata.path("labels"), "metadata.labels", errors);
      annotations = stringMap(metadata.path("annotations"), "metadata.annotations", errors);
      if (metadata.has("generation")) {
        if (metadata.get("generation").canConvertToLong()
            && metadata.get("generation").isIntegralNumber()) {
          generation = metadata.get("generation").longValue();
        } else {
          errors.add(
              "metadata.generation: expected an integer, got "
                  + RecordDecoder.describe(metadata.get("generation")));
        }
      }
      if (metadata.path("resourceVersion").isTextual()) {
        resourceVersion = metadata.get("resourceVersion").textValue();
      }
    }
    JsonNode spec = doc.path("spec");
    if (spec.isMissingNode() || spec.isNull()) {
      spec = JsonNodeFactory.instance.objectNode();
    }
    RecordDecoder reader = new RecordDecoder();
    IstioSpec decoded = reader.readRecord(spec, kind.get().specType(), "spec");
    errors.addAll(reader.errors());
    if (!errors.isEmpty()) {
      return new Decoded.Invalid(what, errors);
    }
    return new Decoded.Ok(
        new IstioConfig(
            kind.get(),
            apiVersion,
            namespace,
            name,
            labels,
            annotations,
            generation,
            resourceVersion,
            decoded));
  }

  private static Map<String, String> stringMap(JsonNode node, String path, List<String> errors) {
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      errors.add(path + ": expected a map, got " + RecordDecoder.describe(node));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isTextual()) {
        out.put(e.getKey(), e.getValue().textValue());
      } else {
        errors.add(
            Paths.child(path, e.getKey())
                + ": expected a string, got "
                + RecordDecoder.describe(e.getValue()));
      }
    }
    return out;
  }

  /**
   * Reads a fragment of Istio API (for example a mesh config's {@code localityLbSetting}) as {@code
   * type}, with the same rules as a spec: unknown keys and wrong types are errors, each {@code
   * path.field: message}. The value is null when it could not be read.
   */
  public static <T> Part<T> decodePart(JsonNode node, Class<T> type, String path) {
    RecordDecoder reader = new RecordDecoder();
    T value = reader.readRecord(node, type, path);
    List<String> errors = List.copyOf(reader.errors());
    return new Part<>(errors.isEmpty() ? value : null, errors);
  }

  /** A decoded fragment and the errors found reading it. */
  public record Part<T>(T value, List<String> errors) {}
}
