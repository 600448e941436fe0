package dev.meshctl.ca.store;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CertificateAuthority;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates a self-signed CA's root before it expires, as Istio's self-signed CA does: once the root
 * is within {@code graceFraction} of its lifetime from expiry, a new root with a new key is written
 * as the next generation ({@link CaStore#rotate}), the CA signs with it from then on, and the old
 * root stays in the trust bundle until it expires, so workloads holding old certificates and those
 * holding new ones keep trusting each other. Each check also reloads the stored material, so an
 * instance picks up a rotation another instance made and drops expired roots from the bundle.
 *
 * <p>A plugged-in CA ({@code cacerts}) is never rotated (Istio does not either): that is logged
 * once. Calls are serialised ({@code synchronized}); any thread.
 */
public final class RootRotator {
  /** Istio's CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE (20%) as a fraction. */
  public static final double DEFAULT_GRACE_FRACTION = 0.2;

  /** Istio's CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(RootRotator.class);

  /** What a check did. */
  public enum Outcome {
    /** The root is not yet within its grace period; nothing changed. */
    NOT_DUE,
    /** A new root was generated and the CA now signs with it. */
    ROTATED,
    /** The stored material differed (another instance rotated, or a root expired); now loaded. */
    RELOADED,
    /** The CA is plugged in and is never rotated. */
    PLUGGED_IN,
    /** Reading, loading or writing failed (logged); the CA keeps its current material. */
    FAILED
  }

  private final CaStore store;
  private final CaSource source;
  private final CertificateAuthority ca;
  private final Clock clock;
  private final double graceFraction;
  private boolean pluggedInLogged; // guarded by this

  /**
   * @param graceFraction rotate when less than this fraction of the root's lifetime remains; in (0,
   *     1)
   */
  public RootRotator(
      CaStore store, CaSource source, CertificateAuthority ca, Clock clock, double graceFraction) {
    if (!(graceFraction > 0 && graceFraction < 1)) {
      throw new IllegalArgumentException(
          "graceFraction must be between 0 and 1 (exclusive): " + graceFraction);
    }
    this.store = Objects.requireNonNull(store, "store");
    this.source = Objects.requireNonNull(source, "source");
    this.ca = Objects.requireNonNull(ca, "ca");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.graceFraction = graceFraction;
  }

  /**
   * When {@code root} becomes due for rotation: {@code notAfter - graceFraction * lifetime}. Pure.
   */
  public static Instant rotateAt(X509Certificate root, double graceFraction) {
    Instant notBefore = root.getNotBefore().toInstant();
    Instant notAfter = root.getNotAfter().toInstant();
    long lifeMillis = Duration.between(notBefore, notAfter).toMillis();
    return notAfter.minusMillis((long) (lifeMillis * graceFraction));
  }

  /** Whether {@code root} is due for rotation at {@code now}. Pure. */
  public static boolean isDue(X509Certificate root, Instant now, double graceFraction) {
    return !now.isBefore(rotateAt(root, graceFraction));
  }

  /** Rotates if the stored root is due, else reloads what is stored if it changed. */
  public synchronized Outcome check() {
    return run(false);
  }

  /** Rotates now, whatever the root's age (operator request, tests). */
  public synchronized Outcome rotateNow() {
    return run(true);
  }

  private Outcome run(boolean force) {
    CaKeyMaterial current = ca.keyMaterial();
    if (current.kind() == CaKeyMaterial.Kind.PLUGGED_IN) {
      if (!pluggedInLogged || force) {
        pluggedInLogged = true;
        log.info(
            "event=ca_root_rotation_skipped location={} kind=plugged_in root_not_after={}"
                + " note=\"a plugged-in CA (cacerts) is never rotated by the control plane;"
                + " rotate it at its issuer and replace the Secret\"",
            source.location(),
            current.anchor().getNotAfter().toInstant());
      }
      return Outcome.PLUGGED_IN;
    }
    try {
      CaKeyMaterial stored = store.load(source.read(), source.location());
      if (stored.kind() == CaKeyMaterial.Kind.PLUGGED_IN) {
        // A cacerts that appeared while we run: switching roots without overlap would cut every
        // workload off, so it is only taken at the next start, as before.
        log.warn(
            "event=ca_plugged_in_appeared location={} action=\"restart to use it; not rotating\"",
            source.location());
        return Outcome.PLUGGED_IN;
      }
      if (force || isDue(stored.anchor(), clock.instant(), graceFraction)) {
        ca.replaceKeyMaterial(store.rotate(source));
        return Outcome.ROTATED;
      }
      if (!stored.anchor().equals(current.anchor()) || !stored.roots().equals(current.roots())) {
        ca.replaceKeyMaterial(stored);
        log.info(
            "event=ca_root_reloaded location={} root_not_after={} bundle_roots={}",
            source.location(),
            stored.anchor().getNotAfter().toInstant(),
            stored.roots().size());
        return Outcome.RELOADED;
      }
      return Outcome.NOT_DUE;
    } catch (IOException | CaKeyMaterialException e) {
      log.warn(
          "event=ca_root_rotation_failed location={} reason=\"{}\" action=keep_current",
          source.location(),
          e.getMessage());
      return Outcome.FAILED;
    }
  }
}
