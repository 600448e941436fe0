package dev.meshctl.crds.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshctl.crds.IstioDuration;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Writes model records back to Istio's JSON form (the inverse of the decoder): absent ({@code
 * null}) fields and empty lists/maps are left out, inline oneof members become keys of their
 * parent, durations use protobuf's {@code "1.500s"} form. Used to prove nothing is dropped, and to
 * show config to users. Stateless; any thread.
 */
public final class IstioJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private IstioJson() {}

  /** The JSON tree of a model value (a record, list, map, or scalar). */
  public static JsonNode toTree(Object value) {
    if (value == null) {
      return F.nullNode();
    }
    if (value instanceof String s) {
      return F.textNode(s);
    }
    if (value instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (value instanceof Integer i) {
      return F.numberNode(i);
    }
    if (value instanceof Long l) {
      return F.numberNode(l);
    }
    if (value instanceof Double d) {
      return F.numberNode(d);
    }
    if (value instanceof Duration d) {
      return F.textNode(IstioDuration.format(d));
    }
    if (value instanceof Enum<?> e) {
      return F.textNode(e.name());
    }
    if (value instanceof List<?> list) {
      ArrayNode out = F.arrayNode();
      list.forEach(v -> out.add(toTree(v)));
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode out = F.objectNode();
      map.forEach((k, v) -> out.set((String) k, toTree(v)));
      return out;
    }
    if (value.getClass().isRecord()) {
      return record(value);
    }
    if (value instanceof JsonNode node) {
      return node.deepCopy(); // free-form values (EnvoyFilter patch values) are kept as written
    }
    throw new IllegalArgumentException("not a model value: " + value.getClass());
  }

  private static ObjectNode record(Object value) {
    RecordShape shape = RecordShape.of(value.getClass());
    ObjectNode out = F.objectNode();
    for (RecordShape.Field f : shape.fields) {
      Object v = get(f.component().getAccessor(), value);
      if (v == null
          || (v instanceof List<?> l && l.isEmpty())
          || (v instanceof Map<?, ?> m && m.isEmpty())) {
        continue;
      }
      if (f.inline()) {
        RecordShape member = RecordShape.of(v.getClass());
        Object inner = get(member.fields.get(0).component().getAccessor(), v);
        out.set(RecordShape.memberKey(v.getClass()), toTree(inner));
      } else {
        out.set(f.key(), toTree(v));
      }
    }
    return out;
  }

  private static Object get(java.lang.reflect.Method accessor, Object target) {
    try {
      return accessor.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(e);
    }
  }
}
