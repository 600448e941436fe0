package dev.meshctl.xds.translate.envoyfilter;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.meshctl.xds.validate.PgvValidator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Envoy protos from an EnvoyFilter's JSON, and Istio's merge of one into another. Packed {@code
 * typed_config}s ({@code "@type"}) resolve to Envoy's generated classes by name. A merge works as
 * protobuf's (scalars replace, messages merge, lists append, or are replaced when {@code
 * replaceLists}), except that two {@code Any}s of the same type merge their unpacked contents, as
 * Istio's EnvoyFilter merge does; an {@code Any} of another type replaces. Pure; any thread.
 */
final class ProtoValues {
  private final PgvValidator types;

  ProtoValues(PgvValidator types) {
    this.types = types;
  }

  /**
   * Reads {@code value} as a message of {@code prototype}'s type; fields the type does not have are
   * ignored, as Istio ignores them when it applies a patch (validation warns about them).
   */
  <T extends Message> T parse(JsonNode value, T prototype) throws InvalidProtocolBufferException {
    return parse(value, prototype, false);
  }

  /** As {@link #parse(JsonNode, Message)}; {@code strict}: unknown fields are errors. */
  @SuppressWarnings("unchecked")
  <T extends Message> T parse(JsonNode value, T prototype, boolean strict)
      throws InvalidProtocolBufferException {
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    for (String url : typeUrls(value)) {
      Optional<Message> p = types.prototype(url.contains("/") ? url : "/" + url);
      if (p.isEmpty()) {
        throw new InvalidProtocolBufferException("unknown type " + url);
      }
      registry.add(p.get().getDescriptorForType());
    }
    Message.Builder b = prototype.newBuilderForType();
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(registry.build());
    (strict ? parser : parser.ignoringUnknownFields()).merge(value.toString(), b);
    return (T) b.build();
  }

  /** {@code src} merged into {@code dst} (same type). */
  @SuppressWarnings("unchecked")
  <T extends Message> T merge(T dst, Message src, boolean replaceLists) {
    if (dst instanceof Any a && src instanceof Any b) {
      return (T) mergeAny(a, b, replaceLists);
    }
    Message.Builder out = dst.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : src.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.isRepeated()) {
        if (replaceLists) {
          out.clearField(f);
        }
        for (Object item : (List<?>) e.getValue()) {
          out.addRepeatedField(f, item);
        }
      } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && dst.hasField(f)) {
        out.setField(f, merge((Message) dst.getField(f), (Message) e.getValue(), replaceLists));
      } else {
        out.setField(f, e.getValue());
      }
    }
    return (T) out.build();
  }

  private Any mergeAny(Any dst, Any src, boolean replaceLists) {
    if (!dst.getTypeUrl().equals(src.getTypeUrl())) {
      return src;
    }
    Optional<Message> prototype = types.prototype(dst.getTypeUrl());
    if (prototype.isEmpty()) {
      return src;
    }
    try {
      Message a = prototype.get().getParserForType().parseFrom(dst.getValue());
      Message b = prototype.get().getParserForType().parseFrom(src.getValue());
      return Any.newBuilder()
          .setTypeUrl(dst.getTypeUrl())
          .setValue(merge(a, b, replaceLists).toByteString())
          .build();
    } catch (InvalidProtocolBufferException e) {
      return src;
    }
  }

  /** Every {@code "@type"} in {@code node}, sorted. */
  private static TreeSet<String> typeUrls(JsonNode node) {
    TreeSet<String> out = new TreeSet<>();
    List<JsonNode> stack = new ArrayList<>(List.of(node));
    while (!stack.isEmpty()) {
      JsonNode n = stack.remove(stack.size() - 1);
      if (n.isObject()) {
        JsonNode t = n.get("@type");
        if (t != null && t.isTextual()) {
          out.add(t.asText());
        }
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
          stack.add(it.next());
        }
      } else if (n.isArray()) {
        n.elements().forEachRemaining(stack::add);
      }
    }
    return out;
  }
}
