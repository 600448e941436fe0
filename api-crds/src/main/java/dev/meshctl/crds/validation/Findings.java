package dev.meshctl.crds.validation;

import java.util.ArrayList;
import java.util.List;

/** Collects findings for one resource. Not thread-safe: one per validation run. */
final class Findings {
  private final String resource;
  private final List<Finding> out = new ArrayList<>();

  Findings(String resource) {
    this.resource = resource;
  }

  void error(String path, String message) {
    out.add(new Finding(Finding.Severity.ERROR, resource, path, message));
  }

  void warn(String path, String message) {
    out.add(new Finding(Finding.Severity.WARNING, resource, path, message));
  }

  ValidationReport report() {
    return new ValidationReport(out);
  }
}
