package dev.meshctl.crds.validation;

/**
 * One validation result: severity, resource ({@code Kind ns/name}), field path and message (which
 * names the offending value). Immutable.
 */
public record Finding(Severity severity, String resource, String path, String message) {

  /** Errors reject the resource; warnings are reported and the resource is used. */
  public enum Severity {
    ERROR,
    WARNING
  }

  /** {@code VirtualService default/reviews: spec.http[0].route[1].weight: must be >= 0, got -3}. */
  @Override
  public String toString() {
    return resource + ": " + path + ": " + message;
  }
}
