package dev.meshctl.xds.translate;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import java.util.SortedMap;

/**
 * Builds one type of xDS resources for one proxy: the seam between what config to build
 * (translators) and how to serve it (the ADS server).
 *
 * <p>Implementations are pure and total: no clock, no randomness, no IO; bad or missing input is
 * skipped, never thrown. They may be called concurrently from push worker threads for different
 * proxies with the same context.
 */
public interface XdsGenerator {

  /**
   * The resources of {@code type} for {@code proxy}, keyed and ordered by resource name. For a
   * {@link Subscription.Names} subscription only the named resources that exist are returned; for a
   * wildcard, everything this proxy should see.
   */
  SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription);
}
