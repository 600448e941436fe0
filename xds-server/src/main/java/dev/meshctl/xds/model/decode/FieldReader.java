package dev.meshctl.xds.model.decode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads typed fields out of a JSON tree while tracking the field path, and collects every problem
 * instead of stopping at the first, as {@code spec.ports[0].port: must be an integer between 1 and
 * 65535, got "abc"}. Not thread-safe: one instance decodes one object.
 */
final class FieldReader {
  private final List<String> errors = new ArrayList<>();

  List<String> errors() {
    return Collections.unmodifiableList(errors);
  }

  void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  static JsonNode child(JsonNode node, String field) {
    JsonNode c = node == null ? null : node.get(field);
    return c == null || c.isNull() ? null : c;
  }

  static String path(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  /** A string field; {@code def} when absent; an error when present but not a scalar. */
  String string(JsonNode node, String parent, String field, String def) {
    JsonNode c = child(node, field);
    if (c == null) {
      return def;
    }
    if (!c.isValueNode()) {
      error(path(parent, field), "must be a string, got " + kindOf(c));
      return def;
    }
    return c.asText();
  }

  String requiredString(JsonNode node, String parent, String field) {
    String s = string(node, parent, field, "");
    if (s.isEmpty() && child(node, field) == null) {
      error(path(parent, field), "is required");
    }
    return s;
  }

  /** A boolean field with a default. */
  boolean bool(JsonNode node, String parent, String field, boolean def) {
    JsonNode c = child(node, field);
    if (c == null) {
      return def;
    }
    if (!c.isBoolean()) {
      error(path(parent, field), "must be true or false, got " + quoted(c));
      return def;
    }
    return c.booleanValue();
  }

  /** A port number (1-65535), or -1 when absent; errors when malformed or out of range. */
  int port(JsonNode node, String parent, String field, boolean required) {
    JsonNode c = child(node, field);
    if (c == null) {
      if (required) {
        error(path(parent, field), "is required");
      }
      return -1;
    }
    if (!c.canConvertToInt() || !c.isIntegralNumber() || c.intValue() < 1 || c.intValue() > 65535) {
      error(path(parent, field), "must be an integer between 1 and 65535, got " + quoted(c));
      return -1;
    }
    return c.intValue();
  }

  /** A map of strings ({@code labels}, {@code selector}); empty when absent. Sorted. */
  Map<String, String> stringMap(JsonNode node, String parent, String field) {
    JsonNode c = child(node, field);
    Map<String, String> out = new TreeMap<>();
    if (c == null) {
      return out;
    }
    if (!c.isObject()) {
      error(path(parent, field), "must be a map of strings, got " + kindOf(c));
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = c.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        out.put(e.getKey(), e.getValue().asText());
      } else {
        error(
            path(parent, field) + "." + e.getKey(),
            "must be a string, got " + kindOf(e.getValue()));
      }
    }
    return out;
  }

  /** The elements of an array field; empty when absent; an error when not an array. */
  List<JsonNode> array(JsonNode node, String parent, String field) {
    JsonNode c = child(node, field);
    List<JsonNode> out = new ArrayList<>();
    if (c == null) {
      return out;
    }
    if (!c.isArray()) {
      error(path(parent, field), "must be a list, got " + kindOf(c));
      return out;
    }
    c.forEach(out::add);
    return out;
  }

  static String quoted(JsonNode c) {
    return c.isTextual() ? "\"" + c.asText() + "\"" : c.toString();
  }

  static String kindOf(JsonNode c) {
    if (c.isObject()) {
      return "a map";
    }
    if (c.isArray()) {
      return "a list";
    }
    return quoted(c);
  }
}
