package dev.meshctl.xds.server;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns generator output into wire resources with content-hash versions, serializing, hashing and
 * validating each distinct resource once per {@link TranslationContext}: the results are memoised
 * in the context, keyed by the message itself (protobuf {@code equals}/{@code hashCode}), so a
 * cluster shared by a thousand proxies is encoded once per push. Stateless; any thread.
 */
final class ResourceEncoder {
  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  /**
   * Versions need to be stable across processes and releases (a restarted server must compute the
   * same version for the same config, or every proxy gets a full resend), not secret: a fast
   * non-cryptographic 128-bit hash is enough.
   */
  private static final HashFunction HASH = Hashing.murmur3_128();

  private ResourceEncoder() {}

  /**
   * One type generated for one proxy.
   *
   * @param accepted resources that passed validation, by name
   * @param rejected resources the validator refused, by name; never sent
   * @param version hash over the sorted (name, version) pairs of {@code accepted}
   */
  record GeneratedType(
      SortedMap<String, EncodedResource> accepted,
      SortedMap<String, EncodedResource> rejected,
      String version) {}

  /**
   * Generates, encodes and validates {@code type} for {@code proxy}. Throws what the generator
   * throws.
   */
  static GeneratedType generate(
      XdsGenerator generator,
      ResourceValidator validator,
      TranslationContext context,
      Proxy proxy,
      XdsType type,
      Subscription subscription) {
    SortedMap<String, Message> generated = generator.generate(context, proxy, type, subscription);
    SortedMap<String, EncodedResource> accepted = new TreeMap<>();
    SortedMap<String, EncodedResource> rejected = new TreeMap<>();
    for (Map.Entry<String, Message> e : generated.entrySet()) {
      EncodedResource r = encode(context, validator, type, e.getValue());
      (r.accepted() ? accepted : rejected).put(e.getKey(), r);
    }
    return new GeneratedType(
        Collections.unmodifiableSortedMap(accepted),
        Collections.unmodifiableSortedMap(rejected),
        setVersion(accepted));
  }

  /** The memoised encoding of {@code message} as a resource of {@code type}. */
  static EncodedResource encode(
      TranslationContext context, ResourceValidator validator, XdsType type, Message message) {
    // The memo may build two holders when workers race, but only one is kept and returned to all
    // of them, and the holder encodes once: so each distinct resource is validated exactly once.
    return context.memo(new EncodingKey(validator, type, message), Encoding::new).get();
  }

  /**
   * The memo key. The validator is part of it because two servers (with different validators) may
   * share a context; its equality is identity, which is what we want.
   */
  private record EncodingKey(ResourceValidator validator, XdsType type, Message message) {}

  /** Encodes its key on first use, once, whichever worker asks first. Thread-safe. */
  private static final class Encoding {
    private final EncodingKey key;
    private EncodedResource value; // guarded by this

    Encoding(EncodingKey key) {
      this.key = key;
    }

    synchronized EncodedResource get() {
      if (value == null) {
        value = encodeNow(key.validator(), key.type(), key.message());
      }
      return value;
    }
  }

  private static EncodedResource encodeNow(
      ResourceValidator validator, XdsType type, Message message) {
    ByteString bytes = deterministicBytes(message);
    String typeUrl = TYPE_URL_PREFIX + message.getDescriptorForType().getFullName();
    Any any = Any.newBuilder().setTypeUrl(typeUrl).setValue(bytes).build();
    String version = HASH.newHasher().putBytes(bytes.asReadOnlyByteBuffer()).hash().toString();
    List<Violation> violations;
    if (!typeUrl.equals(type.typeUrl())) {
      // A generator bug; refusing the resource keeps it out of a stream of the wrong type.
      violations =
          List.of(new Violation("@type", "must be " + type.typeUrl() + ", got " + typeUrl));
    } else {
      violations = validator.validate(message);
    }
    return new EncodedResource(any, version, violations);
  }

  /**
   * Serializes with map entries sorted by key, so equal messages give equal bytes (and versions) in
   * every process; plain {@code toByteString()} follows map iteration order.
   */
  static ByteString deterministicBytes(Message message) {
    byte[] buf = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(buf);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to an array cannot fail", e);
    }
    out.checkNoSpaceLeft();
    // The array is never written again, so wrapping it without a copy is safe.
    return UnsafeByteOperations.unsafeWrap(buf);
  }

  /** Hash over the sorted (name, version) pairs: the SotW {@code version_info} of a response. */
  static String setVersion(SortedMap<String, EncodedResource> resources) {
    Hasher h = HASH.newHasher();
    for (Map.Entry<String, EncodedResource> e : resources.entrySet()) {
      // Separators that cannot occur in a hex version keep ("ab","c") apart from ("a","bc").
      h.putString(e.getKey(), StandardCharsets.UTF_8).putByte((byte) 0);
      h.putString(e.getValue().version(), StandardCharsets.UTF_8).putByte((byte) '\n');
    }
    return h.hash().toString();
  }
}
