package dev.meshctl.xds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The golden-file check every golden test shares: compare generated text with a file, or rewrite
 * the file when the JVM runs with {@code -Dgolden.update=true} (then review the diff: the golden
 * files are the spec). Stateless; any thread.
 */
public final class Goldens {
  /** Whether this run rewrites golden files instead of comparing them. */
  public static final boolean UPDATE = Boolean.getBoolean("golden.update");

  private Goldens() {}

  /**
   * Compares {@code actual} with {@code file} (a missing file reads as empty). Returns the empty
   * string when they are equal (or after rewriting the file in update mode), else a header naming
   * the file and a line diff ({@code -} golden, {@code +} generated).
   */
  public static String check(Path file, String actual) {
    try {
      if (UPDATE) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        return "";
      }
      String expected = Files.exists(file) ? Files.readString(file) : "";
      if (expected.equals(actual)) {
        return "";
      }
      return "\n=== "
          + file
          + " (- golden, + generated)\n"
          + TextDiff.diff(expected, actual)
          + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
