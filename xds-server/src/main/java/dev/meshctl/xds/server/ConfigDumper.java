package dev.meshctl.xds.server;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.ProxyConfigDump.Resource;
import dev.meshctl.xds.server.ProxyConfigDump.TypeDump;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds {@link ProxyConfigDump}s: the same generation and validation a push does, for one proxy,
 * without touching its stream. Encodings are memoised in the context like a push's, so a dump costs
 * little more than the generator call. Private keys in SDS secrets are replaced by {@link
 * #REDACTED} (as Envoy's admin dump does), so a dump never holds key material. Stateless; any
 * thread (generators are pure).
 */
final class ConfigDumper {
  private ConfigDumper() {}

  static ProxyConfigDump dump(
      XdsGenerator generator,
      ResourceValidator validator,
      TranslationContext context,
      ConnectionStatus status) {
    Proxy proxy = status.proxy();
    Map<XdsType, TypeDump> types = new EnumMap<>(XdsType.class);
    if (context != null) {
      status
          .types()
          .forEach(
              (type, s) ->
                  types.put(
                      type,
                      dumpType(generator, validator, context, proxy, type, s.subscription())));
    }
    return new ProxyConfigDump(status, proxy, types);
  }

  private static TypeDump dumpType(
      XdsGenerator generator,
      ResourceValidator validator,
      TranslationContext context,
      Proxy proxy,
      XdsType type,
      Subscription subscription) {
    SortedMap<String, Message> generated;
    try {
      generated = generator.generate(context, proxy, type, subscription);
    } catch (RuntimeException e) {
      // The push path logs and reports this already; the dump just says so.
      return new TypeDump(
          subscription, "", new TreeMap<>(), new TreeMap<>(), Optional.of(e.toString()));
    }
    SortedMap<String, Resource> accepted = new TreeMap<>();
    SortedMap<String, EncodedResource> encodedAccepted = new TreeMap<>();
    SortedMap<String, List<Violation>> rejected = new TreeMap<>();
    generated.forEach(
        (name, message) -> {
          EncodedResource r = ResourceEncoder.encode(context, validator, type, message);
          if (r.accepted()) {
            accepted.put(name, new Resource(redacted(message), r.version()));
            encodedAccepted.put(name, r);
          } else {
            rejected.put(name, r.violations());
          }
        });
    return new TypeDump(
        subscription,
        ResourceEncoder.setVersion(encodedAccepted),
        accepted,
        rejected,
        Optional.empty());
  }

  /** What a dump shows in place of a private key. */
  static final String REDACTED = "[redacted]";

  /** {@code message} with any SDS private key replaced by {@link #REDACTED}. */
  static Message redacted(Message message) {
    if (!(message instanceof Secret secret) || !secret.getTlsCertificate().hasPrivateKey()) {
      return message;
    }
    Secret.Builder b = secret.toBuilder();
    b.getTlsCertificateBuilder().setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED));
    return b.build();
  }
}
