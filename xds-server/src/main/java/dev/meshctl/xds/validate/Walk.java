package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one {@code validate()} call: where in the resource we are and what was found so far.
 *
 * <p>The path is a stack of segments pushed and popped as the walk descends, and is only rendered
 * to a string when a violation is reported, so a valid resource costs no string building. Path
 * notation: field names joined by {@code .}; {@code [3]} for a repeated index; {@code ["key"]} for
 * a string map key ({@code [7]} for other keys); {@code <full.type.Name>} after a {@code
 * google.protobuf.Any} field for the message packed inside it, e.g. {@code
 * filter_chains[0].filters[0].typed_config<envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager>.http_filters[0].name}.
 *
 * <p>Not thread-safe: one instance per call, confined to the calling thread.
 */
final class Walk {
  private static final int FIELD = 0;
  private static final int INDEX = 1;
  private static final int KEY = 2;
  private static final int ANY = 3;
  private static final int NAME = 4;

  private int[] kinds = new int[16];
  private int[] indexes = new int[16];
  private Object[] refs = new Object[16];
  private int depth;
  private List<Violation> violations;
  private String messagePrefix;

  void pushField(FieldDescriptor field) {
    push(FIELD, 0, field);
  }

  void pushIndex(int index) {
    push(INDEX, index, null);
  }

  void pushKey(Object key) {
    push(KEY, 0, key);
  }

  void pushAnyType(String fullTypeName) {
    push(ANY, 0, fullTypeName);
  }

  /** A plain name segment, e.g. a oneof name. */
  void pushName(String name) {
    push(NAME, 0, name);
  }

  void pop() {
    refs[--depth] = null;
  }

  private void push(int kind, int index, Object ref) {
    if (depth == kinds.length) {
      int n = depth * 2;
      kinds = Arrays.copyOf(kinds, n);
      indexes = Arrays.copyOf(indexes, n);
      refs = Arrays.copyOf(refs, n);
    }
    kinds[depth] = kind;
    indexes[depth] = index;
    refs[depth] = ref;
    depth++;
  }

  /** Prepended to reported messages until cleared with null, e.g. {@code "map key: "}. */
  void setMessagePrefix(String prefix) {
    messagePrefix = prefix;
  }

  /** Records a violation at the current path. */
  void report(String message) {
    if (violations == null) {
      violations = new ArrayList<>(4);
    }
    violations.add(
        new Violation(path(), messagePrefix == null ? message : messagePrefix + message));
  }

  List<Violation> violations() {
    return violations == null ? List.of() : List.copyOf(violations);
  }

  String path() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      switch (kinds[i]) {
        case FIELD, NAME -> {
          if (sb.length() > 0) {
            sb.append('.');
          }
          sb.append(kinds[i] == FIELD ? ((FieldDescriptor) refs[i]).getName() : (String) refs[i]);
        }
        case INDEX -> sb.append('[').append(indexes[i]).append(']');
        case KEY -> {
          Object key = refs[i];
          sb.append('[');
          if (key instanceof String s) {
            sb.append(Values.quote(s));
          } else {
            sb.append(key);
          }
          sb.append(']');
        }
        case ANY -> sb.append('<').append(refs[i]).append('>');
        default -> throw new IllegalStateException("unknown segment kind " + kinds[i]);
      }
    }
    return sb.toString();
  }
}
