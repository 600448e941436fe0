package dev.meshctl.controlplane.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which files of a directory tree are config: {@code *.yaml}, {@code *.yml}, {@code *.json}, not
 * hidden, in directories that are not hidden (editors' temp files, {@code ..data} swaps of mounted
 * ConfigMaps). Shared by the watched file source and {@code meshctl analyze} so both read the same
 * files. Stateless; any thread.
 */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** True for a hidden file or directory (name starts with {@code .}). */
  public static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  /** True for a visible regular file with a config extension. */
  public static boolean isConfigFile(Path p) {
    if (hidden(p) || Files.isDirectory(p)) {
      return false;
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  /**
   * Every config file below {@code dir}, sorted, skipping hidden directories other than {@code top}
   * (which the user named, so it counts even if hidden). Unreadable entries contribute nothing: a
   * directory removed while walking is handled by its own delete event.
   */
  public static SortedSet<Path> under(Path dir, Path top) {
    SortedSet<Path> out = new TreeSet<>();
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              return !d.equals(top) && hidden(d)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
              if (isConfigFile(f)) {
                out.add(f);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // walkFileTree only throws what the visitor throws, and this one does not.
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
