package dev.meshctl.controlplane.analyze;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem {@code meshctl analyze} found, located by file and document. Immutable.
 *
 * @param file the file as the user named it (a command-line argument, or a directory argument
 *     joined with the path below it), {@code /}-separated
 * @param document the 0-based index of the YAML document in the file, or -1 when the finding is
 *     about the whole file (it could not be read)
 * @param severity errors make {@code analyze} exit 1; warnings do not
 * @param resource {@code Kind ns/name} ({@code document} for a document that is not an object), or
 *     {@code null} for a file-level finding
 * @param detail {@code field.path: message}, or just the message when no field is to blame
 */
public record Diagnostic(
    String file, int document, Severity severity, String resource, String detail) {

  /** Output order: by file, then document; findings of one document keep the order found. */
  public static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::file).thenComparingInt(Diagnostic::document);

  /** How bad a finding is. */
  public enum Severity {
    /** The resource is rejected, or a reference is broken (traffic will fail). */
    ERROR,
    /** Accepted, but probably not what was meant. */
    WARNING
  }

  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(detail, "detail");
  }

  /** An error about one resource of one document. */
  static Diagnostic error(String file, int document, String resource, String detail) {
    return new Diagnostic(file, document, Severity.ERROR, resource, detail);
  }

  /** A warning about one resource of one document. */
  static Diagnostic warning(String file, int document, String resource, String detail) {
    return new Diagnostic(file, document, Severity.WARNING, resource, detail);
  }

  /** Whether this is an error. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * The output line: {@code <file>:<doc> <Kind> <ns>/<name>: <field path>: <message>}, with {@code
   * warning: } after the location for warnings; a file-level finding is {@code <file>: <message>}.
   */
  public String line() {
    if (resource == null) {
      return file + ": " + (isError() ? "" : "warning: ") + detail;
    }
    return file + ":" + document + " " + (isError() ? "" : "warning: ") + resource + ": " + detail;
  }
}
