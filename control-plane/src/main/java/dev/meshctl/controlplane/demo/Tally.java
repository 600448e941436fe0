package dev.meshctl.controlplane.demo;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who answered the last {@code window} calls: a version ({@code v1}) or a failure's status code
 * ({@code UNAVAILABLE}). A sliding window rather than a total so that a weight change shows within
 * seconds. Thread-safe (synchronized): the demo records from its timer and may render elsewhere.
 */
public final class Tally {
  static final int BAR_WIDTH = 20;

  private final int window;
  private final Deque<String> last = new ArrayDeque<>();

  /** A tally of the last {@code window} answers; {@code window} must be positive. */
  public Tally(int window) {
    if (window <= 0) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    this.window = window;
  }

  /** Records one answer, forgetting the oldest once the window is full. */
  public synchronized void record(String answer) {
    last.addLast(answer);
    if (last.size() > window) {
      last.removeFirst();
    }
  }

  /** How many of the remembered answers each answer got, sorted by answer. */
  public synchronized Map<String, Integer> counts() {
    Map<String, Integer> out = new TreeMap<>();
    last.forEach(a -> out.merge(a, 1, Integer::sum));
    return out;
  }

  /** How many answers are remembered (at most the window). */
  public synchronized int size() {
    return last.size();
  }

  /**
   * One line: each answer with a bar of its share and the share in percent, like {@code v1
   * ██████████████████ 90% v2 ██ 10%}.
   */
  public String render() {
    Map<String, Integer> counts = counts();
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    StringBuilder sb = new StringBuilder();
    counts.forEach(
        (answer, n) -> {
          if (sb.length() > 0) {
            sb.append("  ");
          }
          int bar = Math.max(1, Math.round((float) BAR_WIDTH * n / total));
          sb.append(answer)
              .append(' ')
              .append("█".repeat(bar))
              .append(' ')
              .append(Math.round(100f * n / total))
              .append('%');
        });
    return sb.toString();
  }
}
