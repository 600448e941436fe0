package dev.meshctl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark's results as ordered (metric, value, unit) rows: printed as one table and written as
 * JSON. Numbers are formatted, never rounded away: values below 10 keep three decimals. Not
 * thread-safe; filled by the benchmark's main thread.
 */
final class Report {
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final Map<String, String> units = new LinkedHashMap<>();

  Report put(String metric, Object value, String unit) {
    values.put(metric, value);
    units.put(metric, unit);
    return this;
  }

  Object get(String metric) {
    return values.get(metric);
  }

  /** A fixed-width two-column table. */
  String table() {
    int width = 0;
    for (String k : values.keySet()) {
      width = Math.max(width, k.length());
    }
    StringBuilder sb = new StringBuilder();
    String line = "-".repeat(width + 30) + "\n";
    sb.append(line);
    for (Map.Entry<String, Object> e : values.entrySet()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-" + width + "s  %14s %s%n",
              e.getKey(),
              format(e.getValue()),
              units.get(e.getKey())));
    }
    sb.append(line);
    return sb.toString();
  }

  /** {@code {"metric": {"value": v, "unit": "u"}, ...}}. */
  String json() {
    StringBuilder sb = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Object v = e.getValue();
      String value =
          v instanceof Number n && !(v instanceof Double d && (d.isNaN() || d.isInfinite()))
              ? format(n)
              : v instanceof Boolean ? v.toString() : quote(String.valueOf(v));
      sb.append("  ")
          .append(quote(e.getKey()))
          .append(": {\"value\": ")
          .append(value)
          .append(", \"unit\": ")
          .append(quote(units.get(e.getKey())))
          .append('}')
          .append(++i < values.size() ? ",\n" : "\n");
    }
    return sb.append("}\n").toString();
  }

  void writeJson(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, json());
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      double a = Math.abs(d);
      return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3f", d);
    }
    return String.valueOf(v);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
