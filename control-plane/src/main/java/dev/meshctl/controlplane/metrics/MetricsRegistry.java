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
 * Counters, gauges and histograms with labels, rendered in the Prometheus text format (0.0.4) under
 * exactly the names registered. Istio's metrics are exposed without the {@code _total} suffix that
 * Micrometer's Prometheus registry would force onto counters, and dashboards query those exact
 * names ({@code pilot_xds_pushes}, {@code pilot_total_xds_rejects}), so names are kept as given.
 *
 * <p>Thread-safe: updates are lock-free and may come from any thread; {@link #render()} sees each
 * series' latest value. Output is sorted by metric name, then label values, so it is stable.
 */
public final class MetricsRegistry {
  private final Map<String, Metric> families = new ConcurrentHashMap<>();
  private final List<Runnable> collectors = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What the registry renders: a {@link Family} or a {@link Histogram}. */
  private interface Metric {
    String type();

    List<String> labelNames();

    void render(StringBuilder out);
  }

  /** A counter family; registering the same name twice returns the same family. */
  public Family counter(String name, String help, String... labelNames) {
    return register(name, help, "counter", labelNames);
  }

  /** A gauge family; registering the same name twice returns the same family. */
  public Family gauge(String name, String help, String... labelNames) {
    return register(name, help, "gauge", labelNames);
  }

  /**
   * A histogram family with these upper bucket bounds (ascending; {@code +Inf} is implicit);
   * registering the same name twice returns the same family.
   */
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    double[] bounds = buckets.clone();
    for (int i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new IllegalArgumentException(
            "histogram " + name + " buckets must ascend, got " + Arrays.toString(buckets));
      }
    }
    Metric m =
        families.computeIfAbsent(name, n -> new Histogram(n, help, bounds, List.of(labelNames)));
    check(name, m, "histogram", labelNames);
    Histogram h = (Histogram) m;
    if (!Arrays.equals(h.bounds, bounds)) {
      throw new IllegalArgumentException(
          "histogram " + name + " is already registered with buckets " + Arrays.toString(h.bounds));
    }
    return h;
  }

  private Family register(String name, String help, String type, String... labelNames) {
    Metric m = families.computeIfAbsent(name, n -> new Family(n, help, type, List.of(labelNames)));
    check(name, m, type, labelNames);
    return (Family) m;
  }

  private static void check(String name, Metric m, String type, String... labelNames) {
    if (!m.type().equals(type) || !m.labelNames().equals(List.of(labelNames))) {
      throw new IllegalArgumentException(
          "metric " + name + " is already registered as a " + m.type() + " " + m.labelNames());
    }
  }

  /**
   * Runs {@code collector} before every {@link #render()}, to sample values that are read rather
   * than counted (process CPU, memory). It runs on the rendering thread and must be fast.
   */
  public void onRender(Runnable collector) {
    collectors.add(Objects.requireNonNull(collector, "collector"));
  }

  /** The whole registry in the Prometheus text format. */
  public String render() {
    collectors.forEach(Runnable::run);
    StringBuilder out = new StringBuilder();
    new TreeMap<>(families).values().forEach(f -> f.render(out));
    return out.toString();
  }

  /** One metric name with its label names and one series per distinct label values. */
  public static final class Family implements Metric {
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

    /**
     * Sets a gauge series to {@code value}. Not atomic with concurrent {@link #add}s to the same
     * series: a gauge that is set should have one writer.
     */
    public void set(double value, String... labelValues) {
      DoubleAdder a = series.computeIfAbsent(key(labelValues), k -> new DoubleAdder());
      a.reset();
      a.add(value);
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
      return labelKey(name, labelNames, labelValues);
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public List<String> labelNames() {
      return labelNames;
    }

    @Override
    public void render(StringBuilder out) {
      header(out, name, help, type);
      for (List<String> k : sorted(series.keySet())) {
        out.append(name);
        labels(out, labelNames, k, null);
        out.append(' ').append(format(series.get(k).sum())).append('\n');
      }
    }
  }

  /**
   * A histogram: per series, cumulative counts of observations at or below each bucket bound, plus
   * their sum and count, rendered as {@code name_bucket{...,le="b"}}, {@code name_sum} and {@code
   * name_count}. Thread-safe; a render may see an observation in the count but not yet in a bucket
   * (Prometheus tolerates such skew).
   */
  public static final class Histogram implements Metric {
    private final String name;
    private final String help;
    private final double[] bounds;
    private final List<String> labelNames;
    private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

    private static final class Series {
      final DoubleAdder[] buckets; // non-cumulative; the last one is +Inf
      final DoubleAdder sum = new DoubleAdder();

      Series(int n) {
        buckets = new DoubleAdder[n + 1];
        for (int i = 0; i < buckets.length; i++) {
          buckets[i] = new DoubleAdder();
        }
      }
    }

    private Histogram(String name, String help, double[] bounds, List<String> labelNames) {
      this.name = Objects.requireNonNull(name);
      this.help = Objects.requireNonNull(help);
      this.bounds = bounds;
      this.labelNames = labelNames;
    }

    /** Records one observation (e.g. seconds) in the series with these label values. */
    public void observe(double value, String... labelValues) {
      Series s =
          series.computeIfAbsent(
              labelKey(name, labelNames, labelValues), k -> new Series(bounds.length));
      int i = 0;
      while (i < bounds.length && value > bounds[i]) {
        i++;
      }
      s.buckets[i].add(1);
      s.sum.add(value);
    }

    /** Observations recorded in a series, 0 when it was never touched. */
    public long count(String... labelValues) {
      Series s = series.get(labelKey(name, labelNames, labelValues));
      if (s == null) {
        return 0;
      }
      double n = 0;
      for (DoubleAdder b : s.buckets) {
        n += b.sum();
      }
      return (long) n;
    }

    /** The sum of a series' observations, 0 when it was never touched. */
    public double sum(String... labelValues) {
      Series s = series.get(labelKey(name, labelNames, labelValues));
      return s == null ? 0 : s.sum.sum();
    }

    @Override
    public String type() {
      return "histogram";
    }

    @Override
    public List<String> labelNames() {
      return labelNames;
    }

    @Override
    public void render(StringBuilder out) {
      header(out, name, help, "histogram");
      for (List<String> k : sorted(series.keySet())) {
        Series s = series.get(k);
        double cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
          cumulative += s.buckets[i].sum();
          out.append(name).append("_bucket");
          labels(out, labelNames, k, i < bounds.length ? format(bounds[i]) : "+Inf");
          out.append(' ').append(format(cumulative)).append('\n');
        }
        out.append(name).append("_sum");
        labels(out, labelNames, k, null);
        out.append(' ').append(format(s.sum.sum())).append('\n');
        out.append(name).append("_count");
        labels(out, labelNames, k, null);
        out.append(' ').append(format(cumulative)).append('\n');
      }
    }
  }

  private static List<String> labelKey(
      String name, List<String> labelNames, String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(
          name + " takes labels " + labelNames + ", got " + Arrays.toString(labelValues));
    }
    return List.of(labelValues);
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static List<List<String>> sorted(java.util.Set<List<String>> keys) {
    List<List<String>> out = new ArrayList<>(keys);
    out.sort(
        (a, b) -> {
          for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
              return c;
            }
          }
          return 0;
        });
    return out;
  }

  /** {@code {a="x",le="0.1"}}; nothing when there are no labels and no {@code le}. */
  private static void labels(
      StringBuilder out, List<String> labelNames, List<String> values, String le) {
    if (values.isEmpty() && le == null) {
      return;
    }
    out.append('{');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(labelNames.get(i)).append("=\"").append(escape(values.get(i))).append('"');
    }
    if (le != null) {
      out.append(values.isEmpty() ? "" : ",").append("le=\"").append(le).append('"');
    }
    out.append('}');
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
