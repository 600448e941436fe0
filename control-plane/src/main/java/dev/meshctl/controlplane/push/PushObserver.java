package dev.meshctl.controlplane.push;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.MeshSnapshot;
import java.time.Duration;

/**
 * What the {@link PushLoop} reports as it debounces and pushes: the seam push-pipeline metrics
 * ({@code pilot_push_triggers}, {@code pilot_debounce_time}, {@code
 * pilot_pushcontext_init_seconds}, {@code pilot_services}) plug into, so the loop depends on no
 * metrics library. Every method has a no-op default. {@link #changeReceived} runs on the thread
 * that reported the change; the others on the push thread. Implementations must be thread-safe,
 * fast, and must not throw.
 */
public interface PushObserver {

  /** Observes nothing. */
  PushObserver NONE = new PushObserver() {};

  /** A store change entered debouncing; its push follows. */
  default void changeReceived(ConfigChange change) {}

  /**
   * A snapshot was built for a push.
   *
   * @param request what the push covers
   * @param snapshot the snapshot pushed
   * @param buildTime how long building the snapshot took
   * @param debounced from the first change of the push entering debouncing (or the start, for the
   *     initial push) to the snapshot being ready to push, like Istio's debounce time
   */
  default void snapshotBuilt(
      PushRequest request, MeshSnapshot snapshot, Duration buildTime, Duration debounced) {}
}
