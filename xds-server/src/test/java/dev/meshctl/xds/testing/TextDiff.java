package dev.meshctl.xds.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff (longest common subsequence) for golden-file failures: only changed lines, each with
 * its line number in the expected ({@code -}) or actual ({@code +}) text, plus one line of context.
 */
public final class TextDiff {
  private TextDiff() {}

  public static String diff(String expected, String actual) {
    String[] a = expected.split("\n", -1);
    String[] b = actual.split("\n", -1);
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] =
            a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    String lastSame = null;
    boolean printedContext = false;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i].equals(b[j])) {
        lastSame = String.format("  %4d   %s", i + 1, a[i]);
        printedContext = false;
        i++;
        j++;
        continue;
      }
      if (lastSame != null && !printedContext) {
        out.add(lastSame);
        printedContext = true;
      }
      if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add(String.format("- %4d   %s", i + 1, a[i]));
        i++;
      } else {
        out.add(String.format("+ %4d   %s", j + 1, b[j]));
        j++;
      }
    }
    return String.join("\n", out);
  }
}
