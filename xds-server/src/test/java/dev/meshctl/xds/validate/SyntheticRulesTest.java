package dev.meshctl.xds.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rule kinds Envoy's descriptors do not use today (so a future Envoy may): exercised on a synthetic
 * message whose one field {@code f} carries the rule under test, validated as a {@link
 * DynamicMessage}.
 */
class SyntheticRulesTest {
  private static final FieldDescriptorProto.Type T_STRING = FieldDescriptorProto.Type.TYPE_STRING;

  private static Descriptor type(String name, FieldDescriptorProto.Type type, String rulesText) {
    return type(name, type, null, rulesText, false);
  }

  private static Descriptor type(
      String name,
      FieldDescriptorProto.Type type,
      String typeName,
      String rulesText,
      boolean disabled) {
    FieldRules.Builder rules = FieldRules.newBuilder();
    try {
      com.google.protobuf.TextFormat.merge(rulesText, rules);
    } catch (com.google.protobuf.TextFormat.ParseException e) {
      throw new IllegalArgumentException(e);
    }
    FieldDescriptorProto.Builder field =
        FieldDescriptorProto.newBuilder()
            .setName("f")
            .setNumber(1)
            .setType(type)
            .setLabel(
                rules.hasRepeated()
                    ? FieldDescriptorProto.Label.LABEL_REPEATED
                    : FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setOptions(FieldOptions.newBuilder().setExtension(Validate.rules, rules.build()));
    if (typeName != null) {
      field.setTypeName(typeName);
    }
    DescriptorProto.Builder message = DescriptorProto.newBuilder().setName(name).addField(field);
    if (disabled) {
      message.setOptions(MessageOptions.newBuilder().setExtension(Validate.disabled, true));
    }
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("synthetic/" + name + ".proto")
            .setPackage("synthetic")
            .setSyntax("proto3")
            .addDependency("google/protobuf/any.proto")
            .addDependency("google/protobuf/duration.proto")
            .addDependency("google/protobuf/timestamp.proto")
            .addMessageType(message)
            .build();
    try {
      return FileDescriptor.buildFrom(
              file,
              new FileDescriptor[] {
                Any.getDescriptor().getFile(),
                Duration.getDescriptor().getFile(),
                Timestamp.getDescriptor().getFile()
              })
          .findMessageTypeByName(name);
    } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> check(Descriptor type, Object value) {
    DynamicMessage.Builder m = DynamicMessage.newBuilder(type);
    if (value instanceof List<?> items) {
      items.forEach(item -> m.addRepeatedField(type.findFieldByName("f"), item));
    } else {
      m.setField(type.findFieldByName("f"), value);
    }
    return new PgvValidator(List.of(type, Timestamp.getDescriptor()))
        .validate(m.build()).stream().map(Object::toString).toList();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiterString = " | ",
      quoteCharacter = '`',
      value = {
        "int64    | const: 5                  | 4  | f: must equal 5, got 4",
        "sint32   | in: [1, 2, 3]             | 4  | f: must be in [1, 2, 3], got 4",
        "sfixed64 | not_in: [0]               | 0  | f: must not be in [0], got 0",
        "int32    | gt: 10, lt: 5             | 7  | f: must be < 5 or > 10, got 7",
        "int32    | gt: 10, lt: 5             | 11 | ",
        "int32    | gte: 5, lte: 10, ignore_empty: true | 0 | ",
        "uint64   | lte: 100                  | -1 | f: must be <= 100, got 18446744073709551615",
        "fixed32  | lt: 10                    | -1 | f: must be < 10, got 4294967295",
      })
  void integerRules(String kind, String rules, long value, String expected) {
    FieldDescriptorProto.Type type =
        FieldDescriptorProto.Type.valueOf("TYPE_" + kind.toUpperCase());
    Descriptor d = type("I" + kind + Math.abs(rules.hashCode()), type, kind + " {" + rules + "}");
    boolean wide = kind.endsWith("64");
    Object boxed = wide ? (Object) value : (Object) (int) value;
    assertThat(check(d, boxed)).isEqualTo(expected == null ? List.of() : List.of(expected));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiterString = " | ",
      quoteCharacter = '`',
      value = {
        "hostname: true      | bad_host.example  | f: must be a valid hostname, got \"bad_host.example\"",
        "hostname: true      | a-b.example.com.  | ",
        "ip: true            | 1.2.3             | f: must be a valid IP address, got \"1.2.3\"",
        "ipv6: true          | 1.2.3.4           | f: must be a valid IPv6 address, got \"1.2.3.4\"",
        "ipv4: true          | ::1               | f: must be a valid IPv4 address, got \"::1\"",
        "address: true       | 10.0.0.1          | ",
        "email: true         | nobody            | f: must be a valid email address, got \"nobody\"",
        "uri: true           | relative/path     | f: must be a valid absolute URI, got \"relative/path\"",
        "uuid: true          | 123e4567-e89b-12d3-a456-42661417400g | f: must be a valid UUID, got \"123e4567-e89b-12d3-a456-42661417400g\"",
        "len: 3              | ab€x              | f: value length must be exactly 3 characters, got \"ab€x\"",
        "max_len: 3          | ab€               | ",
        "max_bytes: 3        | ab€               | f: value length must be at most 3 bytes, got 5 bytes",
        "contains: 'mesh'    | istio             | f: must contain \"mesh\", got \"istio\"",
        "not_contains: '..'  | /a/../b           | f: must not contain \"..\", got \"/a/../b\"",
        "not_in: ['a', 'b']  | b                 | f: must not be in [\"a\", \"b\"], got \"b\"",
        "const: 'x'          | y                 | f: must equal \"x\", got \"y\"",
        "pattern: '^(a|b)+$', ignore_empty: true | abc | f: must match regex \"^(a|b)+$\", got \"abc\"",
        "well_known_regex: HTTP_HEADER_NAME | :path | ",
        "well_known_regex: HTTP_HEADER_NAME | x y   | f: must be a valid HTTP header name, got \"x y\"",
      })
  void stringRules(String rules, String value, String expected) {
    Descriptor d = type("S" + Math.abs(rules.hashCode()), T_STRING, "string {" + rules + "}");
    assertThat(check(d, value)).isEqualTo(expected == null ? List.of() : List.of(expected));
  }

  @Test
  void patternsAreRe2AndAnInvalidOneIsReportedUnsupported() {
    // A back-reference is valid java.util.regex but not RE2, so Envoy could never have loaded it.
    Descriptor d = type("Backref", T_STRING, "string { pattern: '(a)\\\\1' }");
    assertThat(new PgvValidator().plan(d).unsupportedKinds()).containsExactly("string.pattern");
    assertThat(check(d, "b")).isEmpty();
  }

  @Test
  void floatBytesEnumDurationTimestampAndAny() {
    Descriptor f = type("F", FieldDescriptorProto.Type.TYPE_FLOAT, "float { gt: 0.1 }");
    assertThat(check(f, 0.05f)).containsExactly("f: must be > 0.1, got 0.05");

    Descriptor b =
        type("B", FieldDescriptorProto.Type.TYPE_BYTES, "bytes { prefix: 'ab', ipv4: true }");
    assertThat(check(b, ByteString.copyFromUtf8("xyz")))
        .containsExactly(
            "f: must start with \"ab\", got \"xyz\"",
            "f: must be a valid IPv4 address, got 3 bytes");

    Descriptor d =
        type(
            "D",
            FieldDescriptorProto.Type.TYPE_MESSAGE,
            ".google.protobuf.Duration",
            "duration { in: [{seconds: 1}, {seconds: 2}] lt: {seconds: 2} }",
            false);
    assertThat(check(d, Duration.newBuilder().setSeconds(3).build()))
        .containsExactlyInAnyOrder("f: must be in [1s, 2s], got 3s", "f: must be < 2s, got 3s");

    Descriptor t =
        type(
            "T",
            FieldDescriptorProto.Type.TYPE_MESSAGE,
            ".google.protobuf.Timestamp",
            "timestamp { gt: {seconds: 1000000000} }",
            false);
    assertThat(check(t, Timestamp.newBuilder().setSeconds(0).build()))
        .containsExactly("f: must be > 2001-09-09T01:46:40Z, got 1970-01-01T00:00:00Z");

    Descriptor a =
        type(
            "A",
            FieldDescriptorProto.Type.TYPE_MESSAGE,
            ".google.protobuf.Any",
            "any { in: ['type.googleapis.com/google.protobuf.Duration'] }",
            false);
    assertThat(check(a, Any.pack(Timestamp.getDefaultInstance())))
        .containsExactly(
            "f: type URL must be in [\"type.googleapis.com/google.protobuf.Duration\"], got"
                + " \"type.googleapis.com/google.protobuf.Timestamp\"");
  }

  @Test
  void repeatedAndMessageOptions() {
    Descriptor r =
        type(
            "R",
            T_STRING,
            "repeated { min_items: 2, ignore_empty: true, items { string { min_len: 2 } } }");
    assertThat(check(r, List.of())).isEmpty();
    assertThat(check(r, List.of("a")))
        .containsExactly(
            "f: must contain at least 2 items, got 1",
            "f[0]: value length must be at least 2 characters, got \"a\"");

    Descriptor disabled = type("Off", T_STRING, null, "string { min_len: 5 }", true);
    assertThat(check(disabled, "a")).isEmpty();
    assertThat(new PgvValidator().plan(disabled).seenKinds())
        .containsExactly("message_options.disabled");
  }

  @Test
  void ruleKindsNeedingAClockAreReportedUnsupported() {
    Descriptor t =
        type(
            "Now",
            FieldDescriptorProto.Type.TYPE_MESSAGE,
            ".google.protobuf.Timestamp",
            "timestamp { lt_now: true }",
            false);
    Plan plan = new PgvValidator().plan(t);
    assertThat(plan.unsupportedKinds()).containsExactly("timestamp.lt_now");
  }
}
