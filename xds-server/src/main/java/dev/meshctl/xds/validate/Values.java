package dev.meshctl.xds.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Renders offending values for violation messages: strings quoted with control characters escaped
 * (so a stray newline is visible), very long values shortened, durations in protobuf JSON form
 * ({@code 1.500s}). Stateless; any thread.
 */
final class Values {
  private Values() {}

  private static final int MAX_SHOWN = 200;

  static String quote(String s) {
    String shown = s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) : s;
    StringBuilder sb = new StringBuilder(shown.length() + 2).append('"');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
    if (shown.length() < s.length()) {
      sb.append("...(").append(s.length()).append(" chars)");
    }
    return sb.toString();
  }

  static String quote(ByteString b) {
    ByteString shown = b.size() > MAX_SHOWN ? b.substring(0, MAX_SHOWN) : b;
    String s = "\"" + TextFormat.escapeBytes(shown) + "\"";
    return shown.size() < b.size() ? s + "...(" + b.size() + " bytes)" : s;
  }

  /** A duration as protobuf's JSON mapping writes it: {@code 0s}, {@code 1.5s}, {@code -0.001s}. */
  static String duration(long seconds, int nanos) {
    if (nanos == 0) {
      return seconds + "s";
    }
    boolean negative = seconds < 0 || nanos < 0;
    long s = Math.abs(seconds);
    int n = Math.abs(nanos);
    String frac = String.format("%09d", n);
    int end = frac.length();
    while (frac.charAt(end - 1) == '0') {
      end--;
    }
    return (negative ? "-" : "") + s + "." + frac.substring(0, end) + "s";
  }

  static <T> String list(List<T> items, Function<T, String> render) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(render.apply(items.get(i)));
    }
    return sb.append(']').toString();
  }
}
