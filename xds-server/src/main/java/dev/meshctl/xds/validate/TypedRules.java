package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.envoyproxy.pgv.validate.Validate.AnyRules;
import io.envoyproxy.pgv.validate.Validate.BoolRules;
import io.envoyproxy.pgv.validate.Validate.DurationRules;
import io.envoyproxy.pgv.validate.Validate.EnumRules;
import io.envoyproxy.pgv.validate.Validate.TimestampRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiled PGV rules for bool, enum, Duration, Timestamp and Any values, and the adapter that
 * applies scalar rules to the {@code value} of a {@code google.protobuf.*Value} wrapper. The {@code
 * required} flags of Duration/Timestamp/Any are read by {@link PlanCompiler}, not here, because
 * they concern absence rather than a value. Immutable once compiled; any thread.
 */
final class TypedRules {
  private TypedRules() {}

  static ValueRule bool(BoolRules rules, RuleLog log) {
    for (FieldDescriptor f : rules.getAllFields().keySet()) {
      if (f.getName().equals("const")) {
        log.seen("const");
      } else {
        log.unsupported(f.getName());
      }
    }
    if (!rules.hasConst()) {
      return null;
    }
    boolean expected = rules.getConst();
    return (value, walk) -> {
      if ((Boolean) value != expected) {
        walk.report("must equal " + expected + ", got " + value);
      }
    };
  }

  static ValueRule enumeration(EnumRules rules, EnumDescriptor type, RuleLog log) {
    for (FieldDescriptor f : rules.getAllFields().keySet()) {
      switch (f.getName()) {
        case "const", "defined_only", "in", "not_in" -> log.seen(f.getName());
        default -> log.unsupported(f.getName());
      }
    }
    boolean hasConst = rules.hasConst();
    int constant = rules.getConst();
    boolean definedOnly = rules.getDefinedOnly();
    List<Integer> in = rules.getInCount() > 0 ? List.copyOf(rules.getInList()) : null;
    List<Integer> notIn = rules.getNotInCount() > 0 ? List.copyOf(rules.getNotInList()) : null;
    return (value, walk) -> {
      int n = ((EnumValueDescriptor) value).getNumber();
      if (hasConst && n != constant) {
        walk.report("must equal " + constant + ", got " + n);
      }
      if (definedOnly && type.findValueByNumber(n) == null) {
        walk.report("enum value " + n + " is not defined");
      }
      if (in != null && !in.contains(n)) {
        walk.report("must be in " + in + ", got " + n);
      }
      if (notIn != null && notIn.contains(n)) {
        walk.report("must not be in " + notIn + ", got " + n);
      }
    };
  }

  static ValueRule any(AnyRules rules, RuleLog log) {
    for (FieldDescriptor f : rules.getAllFields().keySet()) {
      switch (f.getName()) {
        case "required", "in", "not_in" -> log.seen(f.getName());
        default -> log.unsupported(f.getName());
      }
    }
    List<String> in = rules.getInCount() > 0 ? List.copyOf(rules.getInList()) : null;
    List<String> notIn = rules.getNotInCount() > 0 ? List.copyOf(rules.getNotInList()) : null;
    if (in == null && notIn == null) {
      return null;
    }
    return (value, walk) -> {
      Message any = (Message) value;
      String url = (String) any.getField(any.getDescriptorForType().findFieldByNumber(1));
      if (in != null && !in.contains(url)) {
        walk.report(
            "type URL must be in " + Values.list(in, Values::quote) + ", got " + Values.quote(url));
      }
      if (notIn != null && notIn.contains(url)) {
        walk.report(
            "type URL must not be in "
                + Values.list(notIn, Values::quote)
                + ", got "
                + Values.quote(url));
      }
    };
  }

  static ValueRule duration(DurationRules rules, RuleLog log) {
    List<Bound> bounds = new ArrayList<>();
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      switch (name) {
        case "required" -> {}
        case "const", "lt", "lte", "gt", "gte" ->
            bounds.add(Bound.of(name, (Message) e.getValue()));
        case "in", "not_in" -> bounds.add(Bound.set(name, e.getValue()));
        default -> {
          log.unsupported(name);
          continue;
        }
      }
      log.seen(name);
    }
    return bounds.isEmpty() ? null : new TimeRule(bounds.toArray(new Bound[0]), true);
  }

  static ValueRule timestamp(TimestampRules rules, RuleLog log) {
    List<Bound> bounds = new ArrayList<>();
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      switch (name) {
        case "required" -> {}
        case "const", "lt", "lte", "gt", "gte" ->
            bounds.add(Bound.of(name, (Message) e.getValue()));
        default -> {
          // lt_now, gt_now and within need a clock; a validator of generated config has none.
          log.unsupported(name);
          continue;
        }
      }
      log.seen(name);
    }
    return bounds.isEmpty() ? null : new TimeRule(bounds.toArray(new Bound[0]), false);
  }

  /** Applies {@code inner} to the {@code value} field of a wrapper message. */
  static ValueRule wrapper(ValueRule inner) {
    return (value, walk) -> {
      Message m = (Message) value;
      inner.check(m.getField(m.getDescriptorForType().findFieldByNumber(1)), walk);
    };
  }

  /** Seconds and nanos of a Duration or Timestamp, generated or dynamic. */
  static long secondsOf(Message m) {
    return (Long) m.getField(m.getDescriptorForType().findFieldByNumber(1));
  }

  static int nanosOf(Message m) {
    return (Integer) m.getField(m.getDescriptorForType().findFieldByNumber(2));
  }

  /** One comparison of a Duration/Timestamp against constants from the rule. */
  private record Bound(String op, long[] seconds, int[] nanos) {
    static Bound of(String op, Message m) {
      return new Bound(op, new long[] {secondsOf(m)}, new int[] {nanosOf(m)});
    }

    static Bound set(String op, Object list) {
      List<?> items = (List<?>) list;
      long[] s = new long[items.size()];
      int[] n = new int[items.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = secondsOf((Message) items.get(i));
        n[i] = nanosOf((Message) items.get(i));
      }
      return new Bound(op, s, n);
    }

    boolean holds(long s, int n) {
      int c = compare(s, n, seconds[0], nanos[0]);
      return switch (op) {
        case "const" -> c == 0;
        case "lt" -> c < 0;
        case "lte" -> c <= 0;
        case "gt" -> c > 0;
        case "gte" -> c >= 0;
        case "in" -> indexOf(s, n) >= 0;
        case "not_in" -> indexOf(s, n) < 0;
        default -> throw new IllegalStateException(op);
      };
    }

    private int indexOf(long s, int n) {
      for (int i = 0; i < seconds.length; i++) {
        if (seconds[i] == s && nanos[i] == n) {
          return i;
        }
      }
      return -1;
    }

    String describe(boolean isDuration) {
      String text = op;
      switch (op) {
        case "const" -> text = "must equal";
        case "lt" -> text = "must be <";
        case "lte" -> text = "must be <=";
        case "gt" -> text = "must be >";
        case "gte" -> text = "must be >=";
        case "in" -> text = "must be in";
        case "not_in" -> text = "must not be in";
        default -> {}
      }
      StringBuilder sb = new StringBuilder(text).append(' ');
      boolean set = op.equals("in") || op.equals("not_in");
      if (set) {
        sb.append('[');
      }
      for (int i = 0; i < seconds.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(format(seconds[i], nanos[i], isDuration));
      }
      return set ? sb.append(']').toString() : sb.toString();
    }
  }

  private static int compare(long s1, int n1, long s2, int n2) {
    int c = Long.compare(s1, s2);
    return c != 0 ? c : Integer.compare(n1, n2);
  }

  private static String format(long seconds, int nanos, boolean isDuration) {
    if (isDuration) {
      return Values.duration(seconds, nanos);
    }
    return java.time.Instant.ofEpochSecond(seconds, nanos).toString();
  }

  private record TimeRule(Bound[] bounds, boolean isDuration) implements ValueRule {
    @Override
    public void check(Object value, Walk walk) {
      Message m = (Message) value;
      long s = secondsOf(m);
      int n = nanosOf(m);
      for (Bound b : bounds) {
        if (!b.holds(s, n)) {
          walk.report(b.describe(isDuration) + ", got " + format(s, n, isDuration));
        }
      }
    }
  }
}
