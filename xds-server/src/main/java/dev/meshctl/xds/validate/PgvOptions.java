package dev.meshctl.xds.validate;

import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;

/**
 * Reads the protoc-gen-validate options ({@code validate.rules}, {@code validate.required}, {@code
 * validate.disabled}, {@code validate.ignored}) from descriptors.
 *
 * <p>With java-control-plane 1.0.49 on protobuf 4.x the generated files resolve the extensions
 * themselves, so {@code getExtension} works directly. A descriptor built without the extension
 * registry (a {@code DynamicMessage} schema, a descriptor set read from bytes) keeps them as
 * unknown fields 1071/1072 instead; those are re-parsed here with a registry that knows {@link
 * Validate}. Stateless; any thread.
 */
final class PgvOptions {
  private PgvOptions() {}

  private static final int EXT_1071 = 1071;
  private static final int EXT_1072 = 1072;

  private static final ExtensionRegistry REGISTRY = newRegistry();

  private static ExtensionRegistry newRegistry() {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    Validate.registerAllExtensions(registry);
    return registry.getUnmodifiable();
  }

  /** The field's rules, or {@code null} when it has none. */
  static FieldRules fieldRules(FieldDescriptor field) {
    return fieldRules(field.getOptions());
  }

  static FieldRules fieldRules(FieldOptions options) {
    if (options.hasExtension(Validate.rules)) {
      return options.getExtension(Validate.rules);
    }
    if (!options.getUnknownFields().hasField(EXT_1071)) {
      return null;
    }
    try {
      FieldOptions reparsed = FieldOptions.parseFrom(options.toByteString(), REGISTRY);
      return reparsed.hasExtension(Validate.rules) ? reparsed.getExtension(Validate.rules) : null;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed validate.rules option", e);
    }
  }

  /** Whether the oneof carries {@code (validate.required) = true}. */
  static boolean oneofRequired(OneofDescriptor oneof) {
    OneofOptions options = oneof.getOptions();
    if (options.hasExtension(Validate.required)) {
      return options.getExtension(Validate.required);
    }
    if (!options.getUnknownFields().hasField(EXT_1071)) {
      return false;
    }
    try {
      return OneofOptions.parseFrom(options.toByteString(), REGISTRY)
          .getExtension(Validate.required);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed validate.required option", e);
    }
  }

  /**
   * Why PGV generates no checks for the message, or {@code null} when it does: {@code "disabled"}
   * ({@code validate.disabled}: checks nothing, not even nested messages) or {@code "ignored"}
   * ({@code validate.ignored}: no validator is generated at all).
   */
  static String messageDisabledBy(Descriptor message) {
    MessageOptions options = message.getOptions();
    UnknownFieldSet unknown = options.getUnknownFields();
    if (unknown.hasField(EXT_1071) || unknown.hasField(EXT_1072)) {
      try {
        options = MessageOptions.parseFrom(options.toByteString(), REGISTRY);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("malformed validate.disabled option", e);
      }
    }
    if (options.getExtension(Validate.disabled)) {
      return "disabled";
    }
    return options.getExtension(Validate.ignored) ? "ignored" : null;
  }
}
