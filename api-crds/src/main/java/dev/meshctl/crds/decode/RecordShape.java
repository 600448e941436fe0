package dev.meshctl.crds.decode;

import dev.meshctl.crds.Inline;
import dev.meshctl.crds.JsonName;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a model record maps to JSON: its components, their keys (with aliases), and for {@link
 * Inline} oneofs the key of each member. Computed once per class by reflection and cached. Public
 * so that the CRD schema generator describes the same fields the decoder reads. Immutable; any
 * thread.
 */
public final class RecordShape {
  private static final Map<Class<?>, RecordShape> CACHE = new ConcurrentHashMap<>();

  /** One record component. {@code variants} maps member key → member record class when inline. */
  public record Field(
      int index,
      RecordComponent component,
      String key,
      List<String> aliases,
      boolean inline,
      Map<String, Class<?>> variants) {
    /** The component's generic type ({@code List<String>}, {@code Duration}, ...). */
    public Type type() {
      return component.getGenericType();
    }
  }

  final Class<?> type;
  final List<Field> fields;
  final Constructor<?> constructor;

  /** Every key this record accepts (including inline members and aliases) → its field. */
  final Map<String, Field> byKey;

  private RecordShape(Class<?> type) {
    this.type = type;
    RecordComponent[] components = type.getRecordComponents();
    List<Field> list = new ArrayList<>();
    Map<String, Field> keys = new LinkedHashMap<>();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      JsonName name = c.getAnnotation(JsonName.class);
      String key = name == null ? c.getName() : name.value();
      List<String> aliases = name == null ? List.of() : List.of(name.aliases());
      boolean inline = c.isAnnotationPresent(Inline.class);
      Map<String, Class<?>> variants = inline ? memberKeys(c.getType()) : Map.of();
      Field f = new Field(i, c, key, aliases, inline, variants);
      list.add(f);
      if (inline) {
        variants.keySet().forEach(k -> keys.put(k, f));
      } else {
        keys.put(key, f);
        aliases.forEach(a -> keys.put(a, f));
      }
    }
    this.fields = List.copyOf(list);
    this.byKey = keys;
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("no canonical constructor on " + type, e);
    }
  }

  /** The shape of record class {@code type}. */
  public static RecordShape of(Class<?> type) {
    return CACHE.computeIfAbsent(type, RecordShape::new);
  }

  /**
   * The key of each member of a sealed oneof interface: the JSON name of the member's single
   * component. Members without components (the "empty" member) are keyed by the empty string.
   */
  public static Map<String, Class<?>> memberKeys(Class<?> sealed) {
    if (!sealed.isSealed()) {
      throw new IllegalStateException(sealed + " is not a sealed oneof");
    }
    Map<String, Class<?>> out = new LinkedHashMap<>();
    for (Class<?> member : sealed.getPermittedSubclasses()) {
      RecordComponent[] cs = member.getRecordComponents();
      if (cs.length == 0) {
        out.put("", member);
      } else if (cs.length == 1) {
        JsonName name = cs[0].getAnnotation(JsonName.class);
        out.put(name == null ? cs[0].getName() : name.value(), member);
      } else {
        throw new IllegalStateException(member + " must have at most one component");
      }
    }
    return out;
  }

  /** The record's fields in component order. */
  public List<Field> fields() {
    return fields;
  }

  /** The key of a oneof member record (its single component's JSON name). */
  static String memberKey(Class<?> member) {
    RecordComponent[] cs = member.getRecordComponents();
    if (cs.length == 0) {
      return "";
    }
    JsonName name = cs[0].getAnnotation(JsonName.class);
    return name == null ? cs[0].getName() : name.value();
  }
}
