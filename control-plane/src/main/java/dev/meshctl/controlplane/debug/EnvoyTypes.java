package dev.meshctl.controlplane.debug;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link JsonFormat.TypeRegistry} a message needs to be printed as JSON: every {@code
 * Any} inside it (typed configs of filters, transport sockets, ...), at any depth, resolved to its
 * generated class. Walking the message instead of listing types keeps the dump working when the
 * translators start using a new extension. A type URL is resolved by the protobuf Java package
 * convention of the Envoy API jar ({@code envoy.*} in {@code io.envoyproxy.envoy.*}, {@code xds.*}
 * in {@code com.github.xds.*}, {@code udpa.*} in {@code com.github.udpa.udpa.*}, {@code
 * google.protobuf.*} in {@code com.google.protobuf.*}). Stateless; any thread.
 */
final class EnvoyTypes {
  private static final Map<String, String> JAVA_PACKAGE_PREFIX =
      Map.of(
          "envoy.", "io.envoyproxy.",
          "xds.", "com.github.",
          "udpa.", "com.github.udpa.",
          "google.protobuf.", "com.");

  private EnvoyTypes() {}

  /**
   * A registry with the type of every {@code Any} reachable from {@code roots}. A type that cannot
   * be resolved is left out (printing then fails naming it).
   */
  static JsonFormat.TypeRegistry registryFor(List<? extends Message> roots) {
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    Set<String> seen = new HashSet<>();
    Deque<Message> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      Message m = todo.pop();
      Descriptor d = m.getDescriptorForType();
      if (d.getFullName().equals("google.protobuf.Any")) {
        String url = (String) m.getField(d.findFieldByName("type_url"));
        Optional<Descriptor> type = resolve(url);
        if (type.isPresent()) {
          if (seen.add(url)) {
            registry.add(type.get());
          }
          try {
            ByteString value = (ByteString) m.getField(d.findFieldByName("value"));
            todo.push(DynamicMessage.parseFrom(type.get(), value));
          } catch (InvalidProtocolBufferException e) {
            // Printing will report the broken Any; nothing more to find inside it.
          }
        }
        continue;
      }
      for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
        if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          continue;
        }
        if (f.getKey().isRepeated()) {
          for (Object o : (List<?>) f.getValue()) {
            todo.push((Message) o);
          }
        } else {
          todo.push((Message) f.getValue());
        }
      }
    }
    return registry.build();
  }

  /** The descriptor for a type URL, by the Java package convention; empty if not on the path. */
  static Optional<Descriptor> resolve(String typeUrl) {
    String fullName = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    for (Map.Entry<String, String> p : JAVA_PACKAGE_PREFIX.entrySet()) {
      if (fullName.startsWith(p.getKey())) {
        try {
          Class<?> c =
              Class.forName(p.getValue() + fullName, false, EnvoyTypes.class.getClassLoader());
          return Optional.of((Descriptor) c.getMethod("getDescriptor").invoke(null));
        } catch (ReflectiveOperationException | ClassCastException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }
}
