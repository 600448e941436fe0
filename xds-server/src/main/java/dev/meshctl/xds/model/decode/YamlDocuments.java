package dev.meshctl.xds.model.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a multi-document YAML text into documents and parses each on its own, so a syntax error in
 * one document does not hide the others (a single streaming parser stops at the first error).
 * Documents are split at lines that start with {@code ---}, which YAML itself treats as document
 * markers even inside block scalars. Stateless; any thread.
 */
public final class YamlDocuments {
  private static final YAMLMapper MAPPER = new YAMLMapper();

  private YamlDocuments() {}

  /**
   * One document: its 0-based index in the text, and either the parsed tree or the parse error.
   * Empty documents (only comments or whitespace) are skipped but keep their index.
   */
  public record Document(int index, JsonNode node, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  public static List<Document> parse(String text) {
    List<Document> out = new ArrayList<>();
    int index = 0;
    for (String chunk : split(text)) {
      if (!isBlank(chunk)) {
        try {
          JsonNode node = MAPPER.readTree(chunk);
          if (node != null && !node.isMissingNode() && !node.isNull()) {
            out.add(new Document(index, node, null));
          }
        } catch (JsonProcessingException e) {
          out.add(
              new Document(index, null, "invalid YAML: " + e.getOriginalMessage() + location(e)));
        }
      }
      index++;
    }
    return out;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (document line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  private static List<String> split(String text) {
    List<String> chunks = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean sawMarker = false;
    for (String line : text.split("\r?\n", -1)) {
      if (line.startsWith("---")
          && (line.length() == 3 || Character.isWhitespace(line.charAt(3)))) {
        if (sawMarker || !isBlank(current.toString())) {
          chunks.add(current.toString());
        }
        sawMarker = true;
        current.setLength(0);
        // Content after the marker on the same line belongs to the new document.
        current.append(line.substring(3)).append('\n');
      } else {
        current.append(line).append('\n');
      }
    }
    chunks.add(current.toString());
    return chunks;
  }

  private static boolean isBlank(String chunk) {
    for (String line : chunk.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#") && !t.equals("...")) {
        return false;
      }
    }
    return true;
  }
}
