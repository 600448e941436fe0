package dev.meshctl.crds.validation;

import java.util.List;

/** Every finding for one resource, in the order found. Immutable. */
public record ValidationReport(List<Finding> findings) {
  public ValidationReport {
    findings = List.copyOf(findings);
  }

  /** The errors, as {@code resource: path: message} lines. */
  public List<String> errors() {
    return of(Finding.Severity.ERROR);
  }

  /** The warnings, as {@code resource: path: message} lines. */
  public List<String> warnings() {
    return of(Finding.Severity.WARNING);
  }

  /** Whether the resource must be rejected. */
  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
  }

  private List<String> of(Finding.Severity s) {
    return findings.stream().filter(f -> f.severity() == s).map(Finding::toString).toList();
  }
}
