package dev.meshctl.controlplane.store;

import dev.meshctl.xds.model.ConfigKey;

/**
 * Learns of every effective change the {@link ConfigStore} accepts, key by key, e.g. to count
 * inbound updates ({@code pilot_inbound_updates}) without the store depending on a metrics library.
 * Updates that change nothing (an equal re-apply from an informer resync or re-list) are not
 * reported. Called on the updating source's thread after the store's lock is released; must be
 * thread-safe, fast and must not throw.
 */
@FunctionalInterface
public interface StoreObserver {

  /**
   * The effective object for {@code key} was added or replaced by a different value ({@code
   * removed} false), or removed ({@code removed} true).
   */
  void changed(ConfigKey key, boolean removed);
}
