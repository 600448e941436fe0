package dev.meshctl.bench;

import java.util.Arrays;

/** Nearest-rank percentiles over one sample, in the sample's unit. Immutable after construction. */
final class Percentiles {
  private final double[] sorted;

  Percentiles(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(this.sorted);
  }

  static Percentiles ofNanosAsMillis(long[] nanos) {
    double[] ms = new double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      ms[i] = nanos[i] / 1e6;
    }
    return new Percentiles(ms);
  }

  int count() {
    return sorted.length;
  }

  /** The value at percentile {@code p} (0-100) by nearest rank; NaN for an empty sample. */
  double at(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  double median() {
    return at(50);
  }

  double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  double sum() {
    double s = 0;
    for (double v : sorted) {
      s += v;
    }
    return s;
  }
}
