package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

/**
 * Compiled PGV rules for the twelve integer kinds and float/double: {@code const}, {@code lt},
 * {@code lte}, {@code gt}, {@code gte} (a lower bound above the upper bound means "outside the
 * range", as in PGV), {@code in}, {@code not_in}, {@code ignore_empty}. All integers are compared
 * as {@code long}; uint64/fixed64 compare unsigned. Immutable; any thread.
 */
final class NumberRules {
  private NumberRules() {}

  /** How an integer kind's Java value maps to a comparable {@code long}. */
  enum Conv {
    SIGNED,
    UNSIGNED32,
    UNSIGNED64;

    static Conv of(String ruleKind) {
      return switch (ruleKind) {
        case "uint32", "fixed32" -> UNSIGNED32;
        case "uint64", "fixed64" -> UNSIGNED64;
        default -> SIGNED;
      };
    }

    long toLong(Object value) {
      if (this == UNSIGNED32) {
        return Integer.toUnsignedLong(((Number) value).intValue());
      }
      return ((Number) value).longValue();
    }

    int compare(long a, long b) {
      return this == UNSIGNED64 ? Long.compareUnsigned(a, b) : Long.compare(a, b);
    }

    String format(long v) {
      return this == UNSIGNED64 ? Long.toUnsignedString(v) : Long.toString(v);
    }
  }

  /** Compiles an IntXxRules/UIntXxRules/... message. */
  static ValueRule compileInt(String ruleKind, Message rules, RuleLog log) {
    Conv conv = Conv.of(ruleKind);
    IntRule r = new IntRule(conv);
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      Object v = e.getValue();
      switch (name) {
        case "const" -> r.constant = conv.toLong(v);
        case "lt" -> r.setUpper(conv.toLong(v), false);
        case "lte" -> r.setUpper(conv.toLong(v), true);
        case "gt" -> r.setLower(conv.toLong(v), false);
        case "gte" -> r.setLower(conv.toLong(v), true);
        case "in" -> r.in = toLongs(conv, (List<?>) v);
        case "not_in" -> r.notIn = toLongs(conv, (List<?>) v);
        case "ignore_empty" -> r.ignoreEmpty = (Boolean) v;
        default -> {
          log.unsupported(name);
          continue;
        }
      }
      r.hasConst |= name.equals("const");
      log.seen(name);
    }
    return r;
  }

  /** Compiles a FloatRules or DoubleRules message. */
  static ValueRule compileDouble(String ruleKind, Message rules, RuleLog log) {
    DoubleRule r = new DoubleRule(ruleKind.equals("float"));
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      Object v = e.getValue();
      switch (name) {
        case "const" -> r.constant = ((Number) v).doubleValue();
        case "lt" -> r.setUpper(((Number) v).doubleValue(), false);
        case "lte" -> r.setUpper(((Number) v).doubleValue(), true);
        case "gt" -> r.setLower(((Number) v).doubleValue(), false);
        case "gte" -> r.setLower(((Number) v).doubleValue(), true);
        case "in" -> r.in = toDoubles((List<?>) v);
        case "not_in" -> r.notIn = toDoubles((List<?>) v);
        case "ignore_empty" -> r.ignoreEmpty = (Boolean) v;
        default -> {
          log.unsupported(name);
          continue;
        }
      }
      r.hasConst |= name.equals("const");
      log.seen(name);
    }
    return r;
  }

  private static long[] toLongs(Conv conv, List<?> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = conv.toLong(values.get(i));
    }
    return out;
  }

  private static double[] toDoubles(List<?> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).doubleValue();
    }
    return out;
  }

  private static final class IntRule implements ValueRule {
    private final Conv conv;
    private boolean hasConst;
    private long constant;
    private boolean hasLower;
    private boolean lowerInclusive;
    private long lower;
    private boolean hasUpper;
    private boolean upperInclusive;
    private long upper;
    private long[] in;
    private long[] notIn;
    private boolean ignoreEmpty;

    IntRule(Conv conv) {
      this.conv = conv;
    }

    void setLower(long v, boolean inclusive) {
      hasLower = true;
      lower = v;
      lowerInclusive = inclusive;
    }

    void setUpper(long v, boolean inclusive) {
      hasUpper = true;
      upper = v;
      upperInclusive = inclusive;
    }

    @Override
    public void check(Object value, Walk walk) {
      long v = conv.toLong(value);
      if (ignoreEmpty && v == 0) {
        return;
      }
      if (hasConst && v != constant) {
        walk.report("must equal " + conv.format(constant) + ", got " + conv.format(v));
      }
      boolean lowerOk = !hasLower || aboveLower(v);
      boolean upperOk = !hasUpper || belowUpper(v);
      if (hasLower && hasUpper && conv.compare(upper, lower) <= 0) {
        // PGV's exclusive range: the value must lie outside [upper, lower].
        if (!lowerOk && !upperOk) {
          walk.report(
              "must be "
                  + upperText(conv.format(upper))
                  + " or "
                  + lowerText(conv.format(lower))
                  + ", got "
                  + conv.format(v));
        }
      } else {
        if (!lowerOk) {
          walk.report("must be " + lowerText(conv.format(lower)) + ", got " + conv.format(v));
        }
        if (!upperOk) {
          walk.report("must be " + upperText(conv.format(upper)) + ", got " + conv.format(v));
        }
      }
      if (in != null && !contains(in, v)) {
        walk.report("must be in " + format(in) + ", got " + conv.format(v));
      }
      if (notIn != null && contains(notIn, v)) {
        walk.report("must not be in " + format(notIn) + ", got " + conv.format(v));
      }
    }

    private boolean aboveLower(long v) {
      int c = conv.compare(v, lower);
      return lowerInclusive ? c >= 0 : c > 0;
    }

    private boolean belowUpper(long v) {
      int c = conv.compare(v, upper);
      return upperInclusive ? c <= 0 : c < 0;
    }

    private String lowerText(String bound) {
      return (lowerInclusive ? ">= " : "> ") + bound;
    }

    private String upperText(String bound) {
      return (upperInclusive ? "<= " : "< ") + bound;
    }

    private static boolean contains(long[] set, long v) {
      for (long x : set) {
        if (x == v) {
          return true;
        }
      }
      return false;
    }

    private String format(long[] set) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < set.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(conv.format(set[i]));
      }
      return sb.append(']').toString();
    }
  }

  private static final class DoubleRule implements ValueRule {
    private final boolean isFloat;
    private boolean hasConst;
    private double constant;
    private boolean hasLower;
    private boolean lowerInclusive;
    private double lower;
    private boolean hasUpper;
    private boolean upperInclusive;
    private double upper;
    private double[] in;
    private double[] notIn;
    private boolean ignoreEmpty;

    DoubleRule(boolean isFloat) {
      this.isFloat = isFloat;
    }

    void setLower(double v, boolean inclusive) {
      hasLower = true;
      lower = v;
      lowerInclusive = inclusive;
    }

    void setUpper(double v, boolean inclusive) {
      hasUpper = true;
      upper = v;
      upperInclusive = inclusive;
    }

    @Override
    public void check(Object value, Walk walk) {
      double v = ((Number) value).doubleValue();
      if (ignoreEmpty && v == 0) {
        return;
      }
      if (hasConst && v != constant) {
        walk.report("must equal " + fmt(constant) + ", got " + fmt(v));
      }
      // Negated comparisons so that NaN breaks every bound.
      boolean lowerOk = !hasLower || (lowerInclusive ? v >= lower : v > lower);
      boolean upperOk = !hasUpper || (upperInclusive ? v <= upper : v < upper);
      if (hasLower && hasUpper && upper <= lower) {
        if (!lowerOk && !upperOk) {
          walk.report("must be " + upperText() + " or " + lowerText() + ", got " + fmt(v));
        }
      } else {
        if (!lowerOk) {
          walk.report("must be " + lowerText() + ", got " + fmt(v));
        }
        if (!upperOk) {
          walk.report("must be " + upperText() + ", got " + fmt(v));
        }
      }
      if (in != null && !contains(in, v)) {
        walk.report("must be in " + format(in) + ", got " + fmt(v));
      }
      if (notIn != null && contains(notIn, v)) {
        walk.report("must not be in " + format(notIn) + ", got " + fmt(v));
      }
    }

    private String lowerText() {
      return (lowerInclusive ? ">= " : "> ") + fmt(lower);
    }

    private String upperText() {
      return (upperInclusive ? "<= " : "< ") + fmt(upper);
    }

    private String fmt(double v) {
      return isFloat ? Float.toString((float) v) : Double.toString(v);
    }

    private static boolean contains(double[] set, double v) {
      for (double x : set) {
        if (x == v) {
          return true;
        }
      }
      return false;
    }

    private String format(double[] set) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < set.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(fmt(set[i]));
      }
      return sb.append(']').toString();
    }
  }
}
