package dev.meshctl.controlplane.debug;

import dev.meshctl.controlplane.push.PushObserver;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.push.PushTarget;
import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.translate.TranslationContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Remembers the last push for {@code /debug/push_status} and the last pushed snapshot for {@code
 * /debug/registryz}. It sits in the push pipeline twice: as a {@link PushObserver} wrapped around
 * the real one (to learn how long the snapshot took to build) and as a {@link PushTarget} wrapped
 * around the xDS frontend (to time the hand-off and record the result). Both wrappers forward
 * everything unchanged.
 *
 * <p>Threads: the wrappers run on the push thread; {@link #last()} and {@link #lastSnapshot()} may
 * be called from any thread (they read one volatile field each).
 */
public final class PushStatusRecorder {

  /**
   * One completed push.
   *
   * @param time when the push was handed to the xDS frontend
   * @param full true for the initial push (everything)
   * @param endpointOnly true when only endpoints changed (an EDS-only push)
   * @param mergedChanges how many store changes were merged into this push
   * @param changed the changed objects, as {@code Kind namespace/name}, sorted
   * @param services services in the pushed snapshot
   * @param proxies proxies connected when the push was handed over
   * @param snapshotBuild how long building the snapshot took
   * @param debounce from the first merged change to the snapshot being ready
   * @param duration snapshot build plus hand-off to every connected stream (the streams then push
   *     in parallel on their own workers)
   * @param pushes how many pushes have completed, this one included
   */
  public record PushStatus(
      Instant time,
      boolean full,
      boolean endpointOnly,
      int mergedChanges,
      List<String> changed,
      int services,
      int proxies,
      Duration snapshotBuild,
      Duration debounce,
      Duration duration,
      long pushes) {
    public PushStatus {
      Objects.requireNonNull(time, "time");
      changed = List.copyOf(changed);
    }
  }

  private final Clock clock;
  private final IntSupplier connectedProxies;

  // Push thread only.
  private Duration pendingBuild = Duration.ZERO;
  private Duration pendingDebounce = Duration.ZERO;
  private long pushes;

  private volatile PushStatus last;
  private volatile MeshSnapshot lastSnapshot;

  /**
   * @param clock times the hand-off and stamps the push
   * @param connectedProxies how many proxies are connected now
   */
  public PushStatusRecorder(Clock clock, IntSupplier connectedProxies) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.connectedProxies = Objects.requireNonNull(connectedProxies, "connectedProxies");
  }

  /** The last completed push, if any. */
  public Optional<PushStatus> last() {
    return Optional.ofNullable(last);
  }

  /** The snapshot of the last push, if any. */
  public Optional<MeshSnapshot> lastSnapshot() {
    return Optional.ofNullable(lastSnapshot);
  }

  /** {@code delegate}, plus remembering the snapshot build and debounce times. */
  public PushObserver observing(PushObserver delegate) {
    Objects.requireNonNull(delegate, "delegate");
    return new PushObserver() {
      @Override
      public void changeReceived(ConfigChange change) {
        delegate.changeReceived(change);
      }

      @Override
      public void snapshotBuilt(
          PushRequest request, MeshSnapshot snapshot, Duration buildTime, Duration debounced) {
        pendingBuild = buildTime;
        pendingDebounce = debounced;
        delegate.snapshotBuilt(request, snapshot, buildTime, debounced);
      }
    };
  }

  /** {@code target}, plus recording each push once it has been handed over. */
  public PushTarget recording(PushTarget target) {
    Objects.requireNonNull(target, "target");
    return new PushTarget() {
      @Override
      public void push(TranslationContext ctx) {
        push(ctx, PushRequest.initial());
      }

      @Override
      public void push(TranslationContext ctx, PushRequest request) {
        Instant start = clock.instant();
        target.push(ctx, request);
        record(ctx.snapshot(), request, start, Duration.between(start, clock.instant()));
      }
    };
  }

  private void record(MeshSnapshot snapshot, PushRequest request, Instant start, Duration handOff) {
    pushes++;
    List<String> changed =
        request.changedKeys().stream().map(ConfigKey::toString).sorted().toList();
    lastSnapshot = snapshot;
    last =
        new PushStatus(
            start,
            request.full(),
            request.endpointOnly(),
            request.mergedChanges(),
            changed,
            snapshot.services().size(),
            connectedProxies.getAsInt(),
            pendingBuild,
            pendingDebounce,
            pendingBuild.plus(handOff),
            pushes);
    pendingBuild = Duration.ZERO;
    pendingDebounce = Duration.ZERO;
  }
}
