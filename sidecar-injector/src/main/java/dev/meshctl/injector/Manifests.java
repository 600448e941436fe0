package dev.meshctl.injector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The JSON and YAML mappers used for Kubernetes objects in this module. Configured once; Jackson
 * mappers are thread-safe after configuration, so both may be used from any thread.
 */
final class Manifests {
  /** JSON for AdmissionReviews, patches and the fabric8 model. */
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * YAML like kubectl prints it: no quotes unless needed (strings that look like numbers or
   * booleans are quoted), multi-line strings as literal blocks, no leading {@code ---} (the caller
   * writes separators between documents).
   */
  static final ObjectMapper YAML =
      new YAMLMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  // "15020" must stay a string: annotations and args are strings in the API.
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                  // Long JSON annotations stay on one line, as kubectl prints them.
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .build())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Manifests() {}
}
