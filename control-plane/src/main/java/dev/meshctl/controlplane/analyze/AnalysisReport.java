package dev.meshctl.controlplane.analyze;

import java.util.List;

/**
 * The result of one analysis: every finding in output order, how many files were read, and whether
 * host references were checked. Immutable.
 *
 * @param diagnostics every finding, sorted by {@link Diagnostic#ORDER}
 * @param files how many files were analyzed (unreadable ones included)
 * @param hostsChecked false when the inputs declared no Service and no ServiceEntry, so references
 *     to hosts could not be judged and were not checked
 */
public record AnalysisReport(List<Diagnostic> diagnostics, int files, boolean hostsChecked) {
  /** Printed when host references were not checked. */
  public static final String HOSTS_NOT_CHECKED =
      "note: the inputs declare no Service or ServiceEntry, so references to hosts were not"
          + " checked; add the Services to the inputs to check them";

  public AnalysisReport {
    diagnostics = List.copyOf(diagnostics);
  }

  /** How many errors. */
  public long errors() {
    return diagnostics.stream().filter(Diagnostic::isError).count();
  }

  /** How many warnings. */
  public long warnings() {
    return diagnostics.size() - errors();
  }

  /** Every finding as its output line, in order. */
  public List<String> lines() {
    return diagnostics.stream().map(Diagnostic::line).toList();
  }

  /** {@code 2 errors, 1 warning in 3 files}. */
  public String summary() {
    return plural(errors(), "error")
        + ", "
        + plural(warnings(), "warning")
        + " in "
        + plural(files, "file");
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
