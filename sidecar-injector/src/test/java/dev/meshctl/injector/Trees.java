package dev.meshctl.injector;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Test helpers: read YAML documents, normalise Go zero values, print trees canonically. */
final class Trees {
  /** The test configuration that reproduces Istio's own golden files (its chart's dev image). */
  static final InjectionConfig ISTIO_TEST_VALUES =
      InjectionConfig.defaults().toBuilder().hub("registry.istio.io/testing").tag("latest").build();

  private Trees() {}

  /** {@code ../shared/conformance/inject}; skips the test only when the directory is missing. */
  static Path conformanceInject() {
    String dir = System.getProperty("conformance.dir");
    assumeTrue(dir != null, "conformance.dir is not set");
    Path p = Path.of(dir, "inject");
    assumeTrue(Files.isDirectory(p), "no conformance data at " + p);
    return p;
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> docs(String yaml) {
    List<JsonNode> out = new ArrayList<>();
    try (var it = Manifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode n = it.nextValue();
        if (n != null && !n.isNull() && !n.isEmpty()) {
          out.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Drops what Go's encoder writes for zero values and we do not: {@code status: {}}, {@code
   * strategy: {}}, {@code resources: {}} and {@code creationTimestamp: null} (docs/injection.md).
   */
  static JsonNode withoutGoZeroValues(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      for (var e : o.properties()) {
        String k = e.getKey();
        JsonNode v = e.getValue();
        boolean emptyObject = v.isObject() && v.isEmpty();
        if ((k.equals("creationTimestamp") && v.isNull())
            || (emptyObject
                && (k.equals("status") || k.equals("strategy") || k.equals("resources")))) {
          drop.add(k);
        } else {
          strip(v);
        }
      }
      o.remove(drop);
    } else if (node instanceof ArrayNode a) {
      a.forEach(Trees::strip);
    }
  }

  /**
   * Pretty JSON with object keys sorted, so two equal trees print identically and diffs are
   * readable. JSON, not YAML, so that a string "15020" and a number 15020 differ.
   */
  static String canonical(JsonNode node) {
    try {
      return Manifests.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sorted(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> m = new TreeMap<>();
      node.properties().forEach(e -> m.put(e.getKey(), sorted(e.getValue())));
      ObjectNode o = Manifests.JSON.createObjectNode();
      m.forEach(o::set);
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = Manifests.JSON.createArrayNode();
      node.forEach(n -> a.add(sorted(n)));
      return a;
    }
    return node;
  }
}
