package dev.meshctl.controlplane;

import dev.meshctl.controlplane.source.ParsedFile;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Bookinfo-like sample mesh ({@code samples/bookinfo} in the repository) packaged in the jar,
 * served when no config directory is given. Read once, never watched. Stateless; any thread.
 */
final class EmbeddedSample {
  static final String NAME = "embedded:samples/bookinfo";
  private static final List<String> FILES = List.of("services.yaml", "endpoints.yaml", "pods.yaml");

  private EmbeddedSample() {}

  /** The parsed sample files. */
  static List<ParsedFile> files() {
    List<ParsedFile> out = new ArrayList<>();
    for (String f : FILES) {
      String resource = "/samples/bookinfo/" + f;
      try (InputStream in = EmbeddedSample.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + resource + " (packaging bug)");
        }
        out.add(ParsedFile.parse(f, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Every object of the sample, by key. */
  static Map<ConfigKey, ConfigObject> objects() {
    Map<ConfigKey, ConfigObject> out = new TreeMap<>();
    files().forEach(f -> out.putAll(f.objects()));
    return out;
  }
}
