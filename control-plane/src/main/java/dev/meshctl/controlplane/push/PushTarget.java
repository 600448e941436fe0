package dev.meshctl.controlplane.push;

import dev.meshctl.xds.translate.TranslationContext;

/**
 * Where the push loop delivers each new snapshot: the ADS server ({@code AdsServer::push}), or a
 * stand-in. Called by the push loop's thread only, one call at a time; an implementation should
 * hand the work to its own executor rather than block for long, as later changes wait for it.
 */
@FunctionalInterface
public interface PushTarget {

  /** Delivers a new snapshot to every connected proxy. */
  void push(TranslationContext ctx);

  /**
   * Delivers a snapshot with what changed since the previous push, so a target can do less work
   * (EDS only) for an endpoint-only change. By default the request is ignored.
   */
  default void push(TranslationContext ctx, PushRequest request) {
    push(ctx);
  }
}
