package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * The outcome of {@link SidecarInjector#inject}: the injected pod, or why the pod was left alone.
 * Immutable value (the pod inside is a fresh copy owned by the caller).
 */
public sealed interface InjectionResult {

  /** The pod with the sidecar; a new object, the input pod is never modified. */
  record Injected(Pod pod) implements InjectionResult {
    public Injected {
      Objects.requireNonNull(pod, "pod");
    }
  }

  /**
   * The pod must not be injected.
   *
   * @param reason a sentence naming the pod, the field and the value that decided it
   */
  record NotInjected(String reason) implements InjectionResult {
    public NotInjected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
