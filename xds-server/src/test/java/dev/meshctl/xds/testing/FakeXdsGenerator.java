package dev.meshctl.xds.testing;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake {@link XdsGenerator} for ADS server tests, because the real translators are developed
 * separately: each {@link TranslationContext} made by {@link #context} carries a fixed map of
 * resources per type, returned to every proxy (filtered by its subscription). Binding the config to
 * the context, not to a mutable field, keeps a push in flight from seeing a later test step's
 * config. Proxies whose node id is in {@link #failFor} make it throw, to test error isolation.
 * Thread-safe.
 */
public final class FakeXdsGenerator implements XdsGenerator {
  private final Map<TranslationContext, Map<XdsType, SortedMap<String, Message>>> configs =
      new ConcurrentHashMap<>();
  private final Set<String> failingNodes = ConcurrentHashMap.newKeySet();

  /** A new context (over an empty mesh) whose generated config is {@code config}. */
  public TranslationContext context(Map<XdsType, ? extends Map<String, ? extends Message>> config) {
    Map<XdsType, SortedMap<String, Message>> copy = new EnumMap<>(XdsType.class);
    config.forEach((type, resources) -> copy.put(type, new TreeMap<>(resources)));
    TranslationContext context = new TranslationContext(MeshSnapshot.empty());
    configs.put(context, copy);
    return context;
  }

  /** From now on, generating for this node id throws. */
  public void failFor(String nodeId) {
    failingNodes.add(nodeId);
  }

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    if (failingNodes.contains(proxy.nodeId())) {
      throw new IllegalStateException("fake failure for " + proxy.nodeId());
    }
    Map<XdsType, SortedMap<String, Message>> config = configs.get(context);
    if (config == null) {
      throw new IllegalArgumentException("context not made by this fake");
    }
    SortedMap<String, Message> out = new TreeMap<>();
    config
        .getOrDefault(type, Collections.emptySortedMap())
        .forEach(
            (name, resource) -> {
              if (subscription.wants(name)) {
                out.put(name, resource);
              }
            });
    return out;
  }
}
