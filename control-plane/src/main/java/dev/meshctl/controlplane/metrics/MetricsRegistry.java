package dev.meshctl.controlplane.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Counters and gauges with labels, rendered in the Prometheus text format (0.0.4) under exactly the
 * names registered. Istio's metrics are exposed without the {@code _total} suffix that Micrometer's
 * Prometheus registry would force onto counters, and dashboards query those exact names ({@code
 * pilot_xds_pushes}, {@code pilot_total_xds_rejects}), so names are kept as given.
 *
 * <p>Thread-safe: updates are lock-free and may come from any thread; {@link #render()} sees each
 * series' latest value. Output is sorted by metric name, then label values, so it is stable.
 */
public final class MetricsRegistry {
  private final Map<String, Family> families = new ConcurrentHashMap<>();

  /** A counter family; registering the same name twice returns the same family. */
  public Family counter(String name, String help, String... labelNames) {
    return register(name, help, "counter", labelNames);
  }

  /** A gauge family; registering the same name twice returns the same family. */
  public Family gauge(String name, String help, String... labelNames) {
    return register(name, help, "gauge", labelNames);
  }

  private Family register(String name, String help, String type, String... labelNames) {
    Family f = families.computeIfAbsent(name, n -> new Family(n, help, type, List.of(labelNames)));
    if (!f.type.equals(type) || !f.labelNames.equals(List.of(labelNames))) {
      throw new IllegalArgumentException(
          "metric " + name + " is already registered as a " + f.type + " " + f.labelNames);
    }
    return f;
  }

  /** The whole registry in the Prometheus text format. */
  public String render() {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(families).values().forEach(f -> f.render(out));
    return out.toString();
  }

  /** One metric name with its label names and one series per distinct label values. */
  public static final class Family {
    private final String name;
    private final String help;
    private final String type;
    private final List<String> labelNames;
    private final Map<List<String>, DoubleAdder> series = new ConcurrentHashMap<>();

    private Family(String name, String help, String type, List<String> labelNames) {
      this.name = Objects.requireNonNull(name);
      this.help = Objects.requireNonNull(help);
      this.type = type;
      this.labelNames = labelNames;
    }

    /** Adds {@code delta} to the series with these label values (in registration order). */
    public void add(double delta, String... labelValues) {
      series.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(delta);
    }

    /** Adds one. */
    public void inc(String... labelValues) {
      add(1, labelValues);
    }

    /** The current value of a series, 0 when it was never touched. */
    public double value(String... labelValues) {
      DoubleAdder a = series.get(key(labelValues));
      return a == null ? 0 : a.sum();
    }

    private List<String> key(String... labelValues) {
      if (labelValues.length != labelNames.size()) {
        throw new IllegalArgumentException(
            name + " takes labels " + labelNames + ", got " + Arrays.toString(labelValues));
      }
      return List.of(labelValues);
    }

    private void render(StringBuilder out) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      List<List<String>> keys = new ArrayList<>(series.keySet());
      keys.sort(
          (a, b) -> {
            for (int i = 0; i < a.size(); i++) {
              int c = a.get(i).compareTo(b.get(i));
              if (c != 0) {
                return c;
              }
            }
            return 0;
          });
      for (List<String> k : keys) {
        out.append(name);
        if (!k.isEmpty()) {
          out.append('{');
          for (int i = 0; i < k.size(); i++) {
            if (i > 0) {
              out.append(',');
            }
            out.append(labelNames.get(i)).append("=\"").append(escape(k.get(i))).append('"');
          }
          out.append('}');
        }
        out.append(' ').append(format(series.get(k).sum())).append('\n');
      }
    }

    private static String escape(String v) {
      return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
      return v == Math.rint(v) && !Double.isInfinite(v)
          ? Long.toString((long) v)
          : Double.toString(v);
    }
  }
}
