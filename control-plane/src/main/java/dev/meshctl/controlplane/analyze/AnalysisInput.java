package dev.meshctl.controlplane.analyze;

import java.util.Objects;

/**
 * One file to analyze: the name findings show for it and its text, or why it could not be read.
 * Immutable.
 *
 * @param file the display name ({@code /}-separated)
 * @param text the content, or {@code null} when the file could not be read
 * @param unreadable why the file could not be read, or {@code null}
 */
public record AnalysisInput(String file, String text, String unreadable) {
  public AnalysisInput {
    Objects.requireNonNull(file, "file");
    if ((text == null) == (unreadable == null)) {
      throw new IllegalArgumentException("exactly one of text and unreadable must be set");
    }
  }

  /** A file and its content. */
  public static AnalysisInput of(String file, String text) {
    return new AnalysisInput(file, text, null);
  }

  /** A file that could not be read, and why. */
  public static AnalysisInput unreadable(String file, String reason) {
    return new AnalysisInput(file, null, reason);
  }
}
