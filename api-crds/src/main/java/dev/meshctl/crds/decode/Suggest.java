package dev.meshctl.crds.decode;

import java.util.Locale;

/** "Did you mean" for misspelt field names. Stateless. */
final class Suggest {
  private Suggest() {}

  /**
   * The known key closest to {@code key}: same letters ignoring case and underscores (so {@code
   * http_header_name} suggests {@code httpHeaderName}), else the nearest by edit distance when it
   * is at most 2 (or a third of the key's length for long keys). {@code null} when none is close.
   */
  static String closest(String key, Iterable<String> known) {
    String norm = normalise(key);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      if (k.isEmpty()) {
        continue;
      }
      if (normalise(k).equals(norm)) {
        return k;
      }
      int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance || (d == bestDistance && best != null && k.compareTo(best) < 0)) {
        bestDistance = d;
        best = k;
      }
    }
    int limit = Math.max(2, key.length() / 3);
    return bestDistance <= limit ? best : null;
  }

  private static String normalise(String s) {
    return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
