package dev.meshctl.controlplane.source;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.model.decode.YamlDocuments;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one config file declares: the objects of its good documents and one diagnostic per problem,
 * each {@code <file>:<doc index> <Kind> <ns>/<name>: <field path>: <message>} ({@code <file>:<doc
 * index> warning: <Kind> ...} for a warning, whose object is still used). A bad document does not
 * stop the others. Immutable; {@link #parse} is pure (no IO), so any thread.
 *
 * @param file the file's path relative to the config directory, with {@code /} separators
 * @param objects the objects declared by good documents, in declaration order
 * @param diagnostics every problem found, in document order
 * @param clean true when the file had no error at all (skipped kinds are not errors)
 */
public record ParsedFile(
    String file, Map<ConfigKey, ConfigObject> objects, List<String> diagnostics, boolean clean) {

  /** Marks a diagnostic that is a warning, after the {@code <file>:<doc index> } prefix. */
  public static final String WARNING = "warning: ";

  public ParsedFile {
    objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
    diagnostics = List.copyOf(diagnostics);
  }

  /** A file that could not be read at all ({@code reason} says why). */
  public static ParsedFile unreadable(String file, String reason) {
    return new ParsedFile(file, Map.of(), List.of(file + ": " + reason), false);
  }

  /** Splits, parses and decodes {@code text}, the content of {@code file}. */
  public static ParsedFile parse(String file, String text) {
    Map<ConfigKey, ConfigObject> objects = new LinkedHashMap<>();
    Map<ConfigKey, Integer> declaredAt = new HashMap<>();
    List<String> diagnostics = new ArrayList<>();
    boolean clean = true;
    for (YamlDocuments.Document doc : YamlDocuments.parse(text)) {
      String where = file + ":" + doc.index() + " ";
      if (!doc.ok()) {
        // Parser messages echo the offending lines; a diagnostic is one line (one log event).
        diagnostics.add(where + "document: " + doc.error().strip().replaceAll("\\s*\\R\\s*", " "));
        clean = false;
        continue;
      }
      for (Decoded d : KubeDecoder.decode(doc.node())) {
        if (d instanceof Decoded.Ok ok) {
          ConfigObject o = ok.object();
          // Warnings (from Istio config validation) are reported but never drop the object and
          // do not make the file unclean.
          for (String warning : ok.warnings()) {
            diagnostics.add(where + WARNING + warning);
          }
          Integer first = declaredAt.putIfAbsent(o.key(), doc.index());
          if (first == null) {
            objects.put(o.key(), o);
          } else {
            // Keep the first declaration, as the file reads top-down; the duplicate is an error
            // so the file is not "clean" and its earlier objects are not dropped by mistake.
            diagnostics.add(
                where
                    + o.key()
                    + ": is declared again; the declaration at "
                    + file
                    + ":"
                    + first
                    + " is used");
            clean = false;
          }
        } else if (d instanceof Decoded.Invalid invalid) {
          for (String message : invalid.messages()) {
            diagnostics.add(where + message);
          }
          clean = false;
        }
        // Decoded.Skipped: a kind the mesh does not use (a Deployment); not a problem.
      }
    }
    return new ParsedFile(file, objects, diagnostics, clean);
  }
}
