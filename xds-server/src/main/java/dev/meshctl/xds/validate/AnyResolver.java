package dev.meshctl.xds.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the message type packed in a {@code google.protobuf.Any} by its type URL, among the types
 * declared in the files of a set of root types and everything those files import. The index of
 * names is built on first use; each resolved type's prototype (the generated class's default
 * instance when its class is on the class path, else a {@link DynamicMessage} prototype) is cached.
 * Thread-safe: the index is published once through a volatile field and the cache is concurrent.
 */
final class AnyResolver {
  private final List<Descriptor> roots;
  private volatile Map<String, Descriptor> index;
  private final ConcurrentHashMap<String, Message> prototypes = new ConcurrentHashMap<>();

  AnyResolver(Collection<Descriptor> roots) {
    this.roots = List.copyOf(roots);
  }

  /** The full type name in a type URL: what follows its last {@code /}. */
  static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }

  /** A prototype of the packed type, or null when the type URL names no known type. */
  Message prototype(String typeUrl) {
    Message cached = prototypes.get(typeUrl);
    if (cached != null) {
      return cached;
    }
    if (typeUrl.indexOf('/') < 0) {
      return null;
    }
    Descriptor type = index().get(typeName(typeUrl));
    Message prototype =
        type != null ? generatedPrototype(type) : byJavaConvention(typeName(typeUrl));
    if (prototype == null) {
      return null;
    }
    prototypes.putIfAbsent(typeUrl, prototype);
    return prototype;
  }

  /** Parses the packed bytes as the prototype's type. */
  static Message unpack(Message prototype, ByteString value) throws InvalidProtocolBufferException {
    return prototype.getParserForType().parseFrom(value);
  }

  /** Every type name the resolver knows, for tests and diagnostics. */
  Set<String> knownTypes() {
    return index().keySet();
  }

  private Map<String, Descriptor> index() {
    Map<String, Descriptor> idx = index;
    if (idx == null) {
      idx = buildIndex();
      index = idx;
    }
    return idx;
  }

  private Map<String, Descriptor> buildIndex() {
    Map<String, Descriptor> idx = new HashMap<>();
    Set<FileDescriptor> seen = new HashSet<>();
    Deque<FileDescriptor> files = new ArrayDeque<>();
    roots.forEach(r -> files.add(r.getFile()));
    while (!files.isEmpty()) {
      FileDescriptor file = files.poll();
      if (!seen.add(file)) {
        continue;
      }
      files.addAll(file.getDependencies());
      Deque<Descriptor> types = new ArrayDeque<>(file.getMessageTypes());
      while (!types.isEmpty()) {
        Descriptor type = types.poll();
        idx.put(type.getFullName(), type);
        types.addAll(type.getNestedTypes());
      }
    }
    return Map.copyOf(idx);
  }

  /**
   * Java package prefixes of the proto packages Envoy's API uses ({@code envoy.}, {@code xds.}).
   */
  private static final List<String> JAVA_PREFIXES = List.of("io.envoyproxy.", "com.github.", "");

  /**
   * Finds a type outside the roots' files by the naming convention of the generated API jar: proto
   * {@code envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate} is class {@code
   * io.envoyproxy.envoy.extensions...PreviousHostsPredicate} ({@code java_multiple_files}; nested
   * types joined by {@code $}). Without this, any extension missing from the root list (a retry
   * predicate, a new filter) would make every resource that packs it unsendable.
   */
  private static Message byJavaConvention(String fullName) {
    for (String prefix : JAVA_PREFIXES) {
      String name = prefix + fullName;
      // Try the longest package first, then treat trailing segments as nested types.
      for (int cut = name.length(); cut > 0; cut = name.lastIndexOf('.', cut - 1)) {
        String className = name.substring(0, cut) + name.substring(cut).replace('.', '$');
        try {
          Class<?> cls = Class.forName(className, true, AnyResolver.class.getClassLoader());
          Object instance = cls.getMethod("getDefaultInstance").invoke(null);
          if (instance instanceof Message m
              && m.getDescriptorForType().getFullName().equals(fullName)) {
            return m;
          }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
          // Not this split: try the next.
        }
      }
    }
    return null;
  }

  /**
   * The generated class's default instance when it can be found: parsing into generated classes is
   * faster and keeps the walk identical for packed and unpacked resources. Envoy's files all use
   * {@code java_multiple_files}; other layouts fall back to a dynamic message.
   */
  private static Message generatedPrototype(Descriptor type) {
    FileOptions options = type.getFile().getOptions();
    if (options.getJavaMultipleFiles() && options.hasJavaPackage()) {
      String nested = type.getFullName();
      String pkg = type.getFile().getPackage();
      if (!pkg.isEmpty()) {
        nested = nested.substring(pkg.length() + 1);
      }
      String className = options.getJavaPackage() + "." + nested.replace('.', '$');
      try {
        Class<?> cls = Class.forName(className, true, AnyResolver.class.getClassLoader());
        Object instance = cls.getMethod("getDefaultInstance").invoke(null);
        if (instance instanceof Message m && m.getDescriptorForType() == type) {
          return m;
        }
      } catch (ReflectiveOperationException | LinkageError e) {
        // Not generated under the expected name: parse dynamically instead.
      }
    }
    return DynamicMessage.getDefaultInstance(type);
  }
}
