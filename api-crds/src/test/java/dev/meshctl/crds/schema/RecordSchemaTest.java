package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.Inline;
import dev.meshctl.crds.JsonName;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How each kind of record component becomes a schema, on small records made for the test. */
class RecordSchemaTest {
  enum Color {
    RED,
    GREEN
  }

  record Sample(
      @Required String name,
      @Unsigned Integer port,
      Long size,
      Double ratio,
      Boolean on,
      Duration timeout,
      Color color,
      Map<String, List<String>> tags,
      @JsonName(value = "oldName", aliases = "old_name") Integer old,
      @Inline Choice choice,
      @Inline Other other,
      Pick pick) {}

  sealed interface Choice permits A, B {}

  record A(String a) implements Choice {}

  record B(@Unsigned Integer b) implements Choice {}

  sealed interface Other permits X, Y {}

  record X(Boolean x) implements Other {}

  record Y(Boolean y) implements Other {}

  /** A oneof used as a value, with an empty member: {} is allowed. */
  sealed interface Pick permits P, Q, None {}

  record P(String p) implements Pick {}

  record Q(String q) implements Pick {}

  record None() implements Pick {}

  record Loop(List<Loop> children) {}

  @Test
  void everyComponentKindMapsToItsSchema() {
    JsonNode s = CrdGenerator.sorted(RecordSchema.of(Sample.class));
    String dur = RecordSchema.DURATION_PATTERN.replace("\\", "\\\\");
    String oneOfAB =
        "{\"oneOf\":[{\"not\":{\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}},"
            + "{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
    String oneOfXY =
        "{\"oneOf\":[{\"not\":{\"anyOf\":[{\"required\":[\"x\"]},{\"required\":[\"y\"]}]}},"
            + "{\"required\":[\"x\"]},{\"required\":[\"y\"]}]}";
    assertThat(s.toString())
        .isEqualTo(
            "{\"allOf\":["
                + oneOfAB
                + ","
                + oneOfXY
                + "],\"properties\":{"
                + "\"a\":{\"type\":\"string\"},"
                + "\"b\":{\"format\":\"int32\",\"maximum\":2147483647,\"minimum\":0,"
                + "\"type\":\"integer\"},"
                + "\"color\":{\"enum\":[\"RED\",\"GREEN\"],\"type\":\"string\"},"
                + "\"name\":{\"type\":\"string\"},"
                + "\"oldName\":{\"format\":\"int32\",\"type\":\"integer\"},"
                + "\"old_name\":{\"format\":\"int32\",\"type\":\"integer\"},"
                + "\"on\":{\"type\":\"boolean\"},"
                + "\"pick\":{\"oneOf\":[{\"not\":{\"anyOf\":[{\"required\":[\"p\"]},"
                + "{\"required\":[\"q\"]}]}},{\"required\":[\"p\"]},{\"required\":[\"q\"]}],"
                + "\"properties\":{\"p\":{\"type\":\"string\"},\"q\":{\"type\":\"string\"}},"
                + "\"type\":\"object\"},"
                + "\"port\":{\"format\":\"int32\",\"maximum\":2147483647,\"minimum\":0,"
                + "\"type\":\"integer\"},"
                + "\"ratio\":{\"format\":\"double\",\"type\":\"number\"},"
                + "\"size\":{\"format\":\"int64\",\"minimum\":0,\"type\":\"integer\"},"
                + "\"tags\":{\"additionalProperties\":{\"items\":{\"type\":\"string\"},"
                + "\"type\":\"array\"},\"type\":\"object\"},"
                + "\"timeout\":{\"pattern\":\""
                + dur
                + "\",\"type\":\"string\"},"
                + "\"x\":{\"type\":\"boolean\"},"
                + "\"y\":{\"type\":\"boolean\"}"
                + "},\"required\":[\"name\"],\"type\":\"object\"}");
  }

  @Test
  void aOneofWithoutAnEmptyMemberNeedsExactlyOne() {
    record Holder(Choice choice) {}
    assertThat(RecordSchema.of(Holder.class).at("/properties/choice/oneOf").toString())
        .isEqualTo("[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]");
  }

  @Test
  void recursiveRecordsAreRefused() {
    assertThatThrownBy(() -> RecordSchema.of(Loop.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("recursive model type " + Loop.class);
  }
}
