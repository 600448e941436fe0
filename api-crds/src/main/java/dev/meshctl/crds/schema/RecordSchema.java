package dev.meshctl.crds.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import dev.meshctl.crds.decode.RecordShape;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Derives a structural OpenAPI v3 schema (the dialect of a CRD's {@code openAPIV3Schema}) from a
 * model record, through the same {@link RecordShape} the decoder reads, so the schema accepts
 * exactly the keys and value types the decoder does:
 *
 * <ul>
 *   <li>{@code String}/{@code Boolean}/{@code Double} → {@code string}/{@code boolean}/{@code
 *       number}; {@code Integer} → {@code int32}, with {@code minimum: 0} when {@link Unsigned};
 *       {@code Long} (protobuf {@code uint64}) → {@code int64} with {@code minimum: 0};
 *   <li>{@code Duration} → a string with {@link #DURATION_PATTERN} (the grammar of {@link
 *       dev.meshctl.crds.IstioDuration}); enums → {@code enum} of the constant names;
 *   <li>{@code List} → {@code items}; {@code Map<String, V>} → {@code additionalProperties};
 *   <li>records → {@code properties} (JSON names and their aliases), {@code required} for
 *       components marked {@link Required}; oneofs (sealed interfaces, inline or not) → every
 *       member as an optional property plus a {@code oneOf} of {@code required} lists, the form
 *       Istio's CRDs use (see {@link #oneOf}).
 * </ul>
 *
 * Nothing is preserved: unknown fields are pruned (or refused under strict field validation) by the
 * API server, as our decoder refuses them. Stateless; any thread.
 */
public final class RecordSchema {
  /**
   * Go's {@code time.ParseDuration} grammar (what Istio's decoder and CEL's {@code duration()}
   * accept, and what {@link dev.meshctl.crds.IstioDuration#parse} implements): optional sign, then
   * a bare {@code 0} or one or more decimal-with-unit parts. RE2- and ECMA-compatible.
   */
  public static final String DURATION_PATTERN =
      "^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RecordSchema() {}

  /** The schema of record class {@code type}. */
  public static ObjectNode of(Class<?> type) {
    return new Walk().record(type);
  }

  /** One derivation; tracks the records being expanded so a recursive model fails loudly. */
  private static final class Walk {
    private final Deque<Class<?>> stack = new ArrayDeque<>();

    ObjectNode value(Type type, boolean unsigned) {
      if (type instanceof ParameterizedType p) {
        Class<?> raw = (Class<?>) p.getRawType();
        if (raw == Map.class) {
          ObjectNode n = typed("object");
          n.set("additionalProperties", value(p.getActualTypeArguments()[1], false));
          return n;
        }
        if (raw == List.class) {
          ObjectNode n = typed("array");
          n.set("items", value(p.getActualTypeArguments()[0], false));
          return n;
        }
        throw new IllegalStateException("unsupported generic model type " + type);
      }
      Class<?> c = (Class<?>) type;
      if (c == String.class) {
        return typed("string");
      }
      if (c == Boolean.class) {
        return typed("boolean");
      }
      if (c == Integer.class) {
        ObjectNode n = typed("integer").put("format", "int32");
        if (unsigned) {
          // The decoder reads uint32 into an int, so values above int32's maximum are refused
          // there; the schema says the same so kubectl refuses them too.
          n.put("minimum", 0).put("maximum", Integer.MAX_VALUE);
        }
        return n;
      }
      if (c == Long.class) {
        // Longs model protobuf uint64 fields; the decoder refuses negative values.
        return typed("integer").put("format", "int64").put("minimum", 0);
      }
      if (c == Double.class) {
        return typed("number").put("format", "double");
      }
      if (c == Duration.class) {
        return typed("string").put("pattern", DURATION_PATTERN);
      }
      if (c == com.fasterxml.jackson.databind.JsonNode.class) {
        // Istio's google.protobuf.Struct: any object, kept as written.
        return typed("object").put("x-kubernetes-preserve-unknown-fields", true);
      }
      if (c.isEnum()) {
        ObjectNode n = typed("string");
        ArrayNode values = n.putArray("enum");
        for (Object constant : c.getEnumConstants()) {
          values.add(((Enum<?>) constant).name());
        }
        return n;
      }
      if (c.isRecord()) {
        return record(c);
      }
      if (c.isSealed()) {
        return sealed(c);
      }
      throw new IllegalStateException("unsupported model type " + type);
    }

    ObjectNode record(Class<?> type) {
      if (stack.contains(type)) {
        throw new IllegalStateException("recursive model type " + type + " via " + stack);
      }
      stack.push(type);
      Map<String, ObjectNode> properties = new TreeMap<>();
      List<ObjectNode> oneofs = new ArrayList<>();
      List<String> required = new ArrayList<>();
      for (RecordShape.Field f : RecordShape.of(type).fields()) {
        if (f.component().isAnnotationPresent(Required.class)) {
          required.add(f.key());
        }
        if (f.inline()) {
          List<String> members = new ArrayList<>();
          for (Map.Entry<String, Class<?>> m : f.variants().entrySet()) {
            if (!m.getKey().isEmpty()) {
              properties.put(m.getKey(), member(m.getValue()));
              members.add(m.getKey());
            }
          }
          // An inline oneof may be left unset: its component is then null.
          oneofs.add(oneOf(members, true));
        } else {
          ObjectNode schema = value(f.type(), unsigned(f.component()));
          properties.put(f.key(), schema);
          for (String alias : f.aliases()) {
            properties.put(alias, schema.deepCopy());
          }
        }
      }
      stack.pop();
      ObjectNode n = typed("object");
      properties.forEach(n.putObject("properties")::set);
      if (!required.isEmpty()) {
        required.forEach(n.putArray("required")::add);
      }
      addOneofs(n, oneofs);
      return n;
    }

    /** A oneof used as a field's own value ({@code uri: {exact: ...}}). */
    ObjectNode sealed(Class<?> type) {
      Map<String, Class<?>> members = RecordShape.memberKeys(type);
      ObjectNode n = typed("object");
      ObjectNode properties = n.putObject("properties");
      List<String> keys = new ArrayList<>();
      new TreeMap<>(members)
          .forEach(
              (key, member) -> {
                if (!key.isEmpty()) {
                  properties.set(key, member(member));
                  keys.add(key);
                }
              });
      // Without an empty member ({} is StringMatch.Empty) the decoder needs exactly one key.
      addOneofs(n, List.of(oneOf(keys, members.containsKey(""))));
      return n;
    }

    ObjectNode member(Class<?> member) {
      RecordComponent only = member.getRecordComponents()[0];
      return value(only.getGenericType(), unsigned(only));
    }
  }

  /**
   * At most one (or, when {@code optional} is false, exactly one) of {@code keys} present: {@code
   * oneOf: [{not: {anyOf: [{required: [a]}, ...]}}, {required: [a]}, ...]}. This is the structural
   * form Istio's generated CRDs use. It costs nothing at admission, unlike a CEL rule in a list
   * nested in lists, which the API server prices by the largest possible list and may refuse.
   */
  static ObjectNode oneOf(List<String> keys, boolean optional) {
    ObjectNode n = JSON.objectNode();
    ArrayNode branches = n.putArray("oneOf");
    if (optional) {
      ArrayNode anyOf = branches.addObject().putObject("not").putArray("anyOf");
      keys.forEach(k -> anyOf.addObject().putArray("required").add(k));
    }
    keys.forEach(k -> branches.addObject().putArray("required").add(k));
    return n;
  }

  private static void addOneofs(ObjectNode n, List<ObjectNode> oneofs) {
    if (oneofs.size() == 1) {
      n.setAll(oneofs.get(0));
    } else if (oneofs.size() > 1) {
      oneofs.forEach(n.putArray("allOf")::add);
    }
  }

  private static boolean unsigned(RecordComponent c) {
    return c.isAnnotationPresent(Unsigned.class);
  }

  private static ObjectNode typed(String type) {
    return JSON.objectNode().put("type", type);
  }
}
