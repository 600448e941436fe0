package dev.meshctl.crds.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.IstioDuration;
import dev.meshctl.crds.Unsigned;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a JSON tree into a model record, driven by the record's components ({@link RecordShape}):
 * every key must be a component (or an inline oneof member), every value must have the component's
 * type. Collects every problem as {@code path: message} instead of stopping at the first. Not
 * thread-safe: one instance per document.
 */
final class RecordDecoder {
  private final List<String> errors = new ArrayList<>();

  List<String> errors() {
    return errors;
  }

  /** Reads {@code node} as {@code type}; returns null (and records an error) when it cannot. */
  <T> T readRecord(JsonNode node, Class<T> type, String path) {
    return type.cast(read(node, type, false, path));
  }

  private void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  private Object read(JsonNode node, Type type, boolean unsigned, String path) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type arg = p.getActualTypeArguments()[raw == Map.class ? 1 : 0];
      return raw == Map.class ? readMap(node, arg, path) : readList(node, arg, path);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return node.isTextual() ? node.textValue() : wrong(path, "a string", node);
    }
    if (c == Boolean.class) {
      return node.isBoolean() ? node.booleanValue() : wrong(path, "a boolean", node);
    }
    if (c == Integer.class || c == Long.class) {
      return readInteger(node, c == Long.class, unsigned || c == Long.class, path);
    }
    if (c == Double.class) {
      return node.isNumber() ? node.doubleValue() : wrong(path, "a number", node);
    }
    if (c == JsonNode.class) {
      // Free-form values (an EnvoyFilter patch's Envoy JSON): kept as written.
      return node.deepCopy();
    }
    if (c == Duration.class) {
      if (!node.isTextual()) {
        return wrong(path, "a duration string such as \"1.5s\"", node);
      }
      IstioDuration.Result r = IstioDuration.parse(node.textValue());
      r.error().ifPresent(e -> error(path, e));
      return r.value().orElse(null);
    }
    if (c.isEnum()) {
      return readEnum(node, c, path);
    }
    if (c.isRecord()) {
      return node.isObject() ? readObject(node, c, path) : wrong(path, "an object", node);
    }
    if (c.isSealed()) {
      return node.isObject() ? readOneofObject(node, c, path) : wrong(path, "an object", node);
    }
    throw new IllegalStateException("unsupported model type " + type + " at " + path);
  }

  private Object readInteger(JsonNode node, boolean isLong, boolean unsigned, String path) {
    if (!node.isIntegralNumber()) {
      return wrong(path, "an integer", node);
    }
    if (isLong ? !node.canConvertToLong() : !node.canConvertToInt()) {
      error(path, "integer out of range, got " + node.asText());
      return null;
    }
    long v = node.longValue();
    if (unsigned && v < 0) {
      error(path, "must be a non-negative integer, got " + v);
      return null;
    }
    return isLong ? (Object) v : (Object) (int) v;
  }

  private Object readEnum(JsonNode node, Class<?> c, String path) {
    if (!node.isTextual()) {
      return wrong(path, "a string", node);
    }
    for (Object constant : c.getEnumConstants()) {
      if (((Enum<?>) constant).name().equals(node.textValue())) {
        return constant;
      }
    }
    error(
        path,
        "unknown value \""
            + node.textValue()
            + "\", expected one of "
            + Arrays.toString(c.getEnumConstants()));
    return null;
  }

  private List<Object> readList(JsonNode node, Type element, String path) {
    if (!node.isArray()) {
      wrong(path, "a list", node);
      return List.of();
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String p = path + "[" + i + "]";
      JsonNode item = node.get(i);
      if (item.isNull()) {
        error(p, "null is not allowed in a list");
        continue;
      }
      Object v = read(item, element, false, p);
      if (v != null) {
        out.add(v);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private Map<String, Object> readMap(JsonNode node, Type value, String path) {
    if (!node.isObject()) {
      wrong(path, "a map", node);
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = Paths.child(path, e.getKey());
      if (e.getValue().isNull()) {
        error(p, "null is not allowed as a map value");
        continue;
      }
      Object v = read(e.getValue(), value, false, p);
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private Object readObject(JsonNode node, Class<?> type, String path) {
    RecordShape shape = RecordShape.of(type);
    Object[] args = new Object[shape.fields.size()];
    Map<RecordShape.Field, List<String>> present = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      RecordShape.Field f = shape.byKey.get(e.getKey());
      if (f == null) {
        error(Paths.child(path, e.getKey()), unknownField(e.getKey(), shape.byKey.keySet()));
        continue;
      }
      if (!e.getValue().isNull()) {
        present.computeIfAbsent(f, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    for (Map.Entry<RecordShape.Field, List<String>> e : present.entrySet()) {
      RecordShape.Field f = e.getKey();
      List<String> keys = e.getValue();
      if (keys.size() > 1) {
        List<String> options = f.inline() ? List.copyOf(f.variants().keySet()) : keysOf(f);
        error(path, onlyOne(options, keys));
        continue;
      }
      String key = keys.get(0);
      JsonNode value = node.get(key);
      String p = Paths.child(path, key);
      if (f.inline()) {
        Class<?> member = f.variants().get(key);
        RecordShape ms = RecordShape.of(member);
        RecordShape.Field only = ms.fields.get(0);
        Object v =
            read(value, only.type(), only.component().isAnnotationPresent(Unsigned.class), p);
        args[f.index()] = v == null ? null : construct(ms, new Object[] {v});
      } else {
        args[f.index()] =
            read(value, f.type(), f.component().isAnnotationPresent(Unsigned.class), p);
      }
    }
    for (RecordShape.Field f : shape.fields) {
      if (args[f.index()] == null) {
        Class<?> raw = f.component().getType();
        if (raw == List.class) {
          args[f.index()] = List.of();
        } else if (raw == Map.class) {
          args[f.index()] = Map.of();
        }
      }
    }
    return construct(shape, args);
  }

  private Object readOneofObject(JsonNode node, Class<?> sealed, String path) {
    Map<String, Class<?>> members = RecordShape.memberKeys(sealed);
    List<String> options =
        members.keySet().stream().filter(k -> !k.isEmpty()).collect(Collectors.toList());
    List<String> set = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!members.containsKey(e.getKey()) || e.getKey().isEmpty()) {
        error(Paths.child(path, e.getKey()), unknownField(e.getKey(), options));
      } else if (!e.getValue().isNull()) {
        set.add(e.getKey());
      }
    }
    if (set.size() > 1) {
      error(path, onlyOne(options, set));
      return null;
    }
    if (set.isEmpty()) {
      Class<?> empty = members.get("");
      if (empty == null) {
        error(path, "one of " + options + " must be set");
        return null;
      }
      return construct(RecordShape.of(empty), new Object[0]);
    }
    String key = set.get(0);
    RecordShape ms = RecordShape.of(members.get(key));
    RecordShape.Field only = ms.fields.get(0);
    Object v =
        read(
            node.get(key),
            only.type(),
            only.component().isAnnotationPresent(Unsigned.class),
            Paths.child(path, key));
    return v == null ? null : construct(ms, new Object[] {v});
  }

  private static List<String> keysOf(RecordShape.Field f) {
    List<String> out = new ArrayList<>();
    out.add(f.key());
    out.addAll(f.aliases());
    return out;
  }

  static String onlyOne(List<String> options, List<String> got) {
    return "only one of " + options + " may be set, got " + got;
  }

  private static Object construct(RecordShape shape, Object[] args) {
    try {
      return shape.constructor.newInstance(args);
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot construct " + shape.type, e);
    }
  }

  private Object wrong(String path, String expected, JsonNode got) {
    error(path, "expected " + expected + ", got " + describe(got));
    return null;
  }

  static String describe(JsonNode n) {
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "a string \"" + n.textValue() + "\"";
    }
    if (n.isBoolean()) {
      return "a boolean " + n.booleanValue();
    }
    if (n.isNumber()) {
      return "a number " + n.asText();
    }
    return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  static String unknownField(String key, Iterable<String> known) {
    String best = Suggest.closest(key, known);
    return best == null ? "unknown field" : "unknown field (did you mean \"" + best + "\"?)";
  }
}
