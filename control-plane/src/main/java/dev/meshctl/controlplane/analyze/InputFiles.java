package dev.meshctl.controlplane.analyze;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the files {@code meshctl analyze} was pointed at: a file argument is read whatever its
 * name; a directory argument contributes every {@code *.yaml}, {@code *.yml} and {@code *.json}
 * below it, recursively, skipping hidden files and directories (as {@code serve --config-dir}
 * does). Each file is named as given, or as the directory argument joined with the path below it.
 * Does IO (the analyzer itself does none); call from one thread.
 */
public final class InputFiles {
  private InputFiles() {}

  /** Reads every file of {@code args}; a file named twice is read once. */
  public static List<AnalysisInput> read(List<String> args) throws NoSuchFileException {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String arg : args) {
      Path path = Path.of(arg);
      if (!Files.exists(path)) {
        throw new NoSuchFileException(arg);
      }
      if (Files.isDirectory(path)) {
        for (Path f : configFilesUnder(path)) {
          files.putIfAbsent(slashes(f), f);
        }
      } else {
        files.putIfAbsent(slashes(path), path);
      }
    }
    List<AnalysisInput> out = new ArrayList<>();
    files.forEach((name, path) -> out.add(read(name, path)));
    return out;
  }

  private static AnalysisInput read(String name, Path path) {
    try {
      return AnalysisInput.of(name, Files.readString(path));
    } catch (CharacterCodingException e) {
      return AnalysisInput.unreadable(name, "not UTF-8 text");
    } catch (IOException e) {
      return AnalysisInput.unreadable(name, e.toString());
    }
  }

  private static List<Path> configFilesUnder(Path dir) {
    List<Path> out = new ArrayList<>();
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              return !d.equals(dir) && hidden(d)
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
              return FileVisitResult.CONTINUE; // an unreadable directory contributes nothing
            }
          });
    } catch (IOException e) {
      // walkFileTree only throws what the visitor throws, and ours does not.
      throw new IllegalStateException(e);
    }
    out.sort(null);
    return out;
  }

  private static String slashes(Path p) {
    return p.toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  private static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static boolean isConfigFile(Path p) {
    if (hidden(p) || Files.isDirectory(p)) {
      return false;
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }
}
