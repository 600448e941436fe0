package dev.meshctl.controlplane.analyze;

import dev.meshctl.controlplane.source.ConfigFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    return new ArrayList<>(ConfigFiles.under(dir, dir));
  }

  private static String slashes(Path p) {
    return p.toString().replace(p.getFileSystem().getSeparator(), "/");
  }
}
