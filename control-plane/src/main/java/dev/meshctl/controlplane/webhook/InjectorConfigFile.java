package dev.meshctl.controlplane.webhook;

import dev.meshctl.controlplane.source.FileWatch;
import dev.meshctl.injector.InjectionConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The injector configuration of {@code serve --injector-values} (the {@code istio-sidecar-injector}
 * ConfigMap manifest, mounted as a file by the chart), re-read whenever the file changes, so new
 * AdmissionReviews use the new config without a restart. A file that no longer parses keeps the
 * last good config and logs one error naming the file and the problem; a missing file (a mount
 * briefly has none while it is updated) keeps it too.
 *
 * <p>Threads: {@link #start} and {@link #close} for the owner; reloads run on the watcher thread;
 * {@link #current()} may be called from any thread.
 */
final class InjectorConfigFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InjectorConfigFile.class);

  private final Path file;
  private final Function<String, InjectionConfig> parse;
  private volatile InjectionConfig current;
  private String lastText; // watcher thread (and start, before it runs)
  private FileWatch watch;

  private InjectorConfigFile(Path file, Function<String, InjectionConfig> parse) {
    this.file = file;
    this.parse = parse;
  }

  /**
   * Reads the file and starts watching it.
   *
   * @param parse the manifest's text to a config; throws {@link IllegalArgumentException} naming
   *     the field when malformed
   * @throws IllegalArgumentException {@code <file>: <problem>} when the first read does not parse
   */
  static InjectorConfigFile start(
      Path file, Function<String, InjectionConfig> parse, ThreadFactory threads)
      throws IOException {
    InjectorConfigFile f = new InjectorConfigFile(file.toAbsolutePath().normalize(), parse);
    f.watch = FileWatch.start(f.file, f::reload, threads);
    try {
      String text = Files.readString(f.file, StandardCharsets.UTF_8);
      try {
        f.current = parse.apply(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(f.file + ": " + e.getMessage(), e);
      }
      f.lastText = text;
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  /** The config in effect: the last one that parsed. */
  InjectionConfig current() {
    return current;
  }

  private void reload() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.debug("event=injector_config_unreadable file={} error=\"{}\"", file, e.getMessage());
      return;
    }
    if (text.equals(lastText)) {
      return;
    }
    lastText = text;
    try {
      current = parse.apply(text);
      log.info("event=injector_config_loaded file={}", file);
    } catch (IllegalArgumentException e) {
      log.error(
          "event=injector_config_invalid file={} problem=\"{}\" action=\"keeping the last good"
              + " injector config\"",
          file,
          // One line: YAML parser messages span several.
          e.getMessage().replace("\"", "\\\"").replaceAll("\\s*\n\\s*", " "));
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
