package dev.meshctl.controlplane.security;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CaOptions;
import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.server.AuthenticatingInterceptor;
import dev.meshctl.ca.server.Authenticator;
import dev.meshctl.ca.server.CertificateService;
import dev.meshctl.ca.server.ClientCertificateAuthenticator;
import dev.meshctl.ca.server.KubernetesJwtAuthenticator;
import dev.meshctl.ca.store.CaKeyMaterialException;
import dev.meshctl.ca.store.CaSource;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import dev.meshctl.ca.store.RootRotator;
import dev.meshctl.ca.tls.ServingCertificateManager;
import dev.meshctl.xds.server.AdsServer;
import dev.meshctl.xds.server.PushScope;
import dev.meshctl.xds.translate.XdsType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's secure side: the CA (key material from a directory or the Kubernetes Secrets,
 * see {@link SecuritySettings#caDir}), the serving certificate of istiod's DNS names, and the TLS
 * gRPC server on the secure xDS port (Istio's 15012) serving both Istio's CA API and the same
 * {@link AdsServer} as the plaintext port. Every call there is authenticated (a client certificate
 * this CA issued, or a service account token checked by TokenReview / the dev token file), and an
 * ADS stream's node must belong to the caller ({@link CallerNodeAuthorizer}); such streams are
 * served their workload certificate over SDS ({@link WorkloadCertificateIssuer}), renewed when due.
 * Client certificates are optional at the TLS layer, since a token also works.
 *
 * <p>{@link #start} and {@link #close} are for the owner; the getters are safe from any thread.
 */
public final class SecureServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SecureServing.class);

  /** How often due workload certificates are looked for (each renewal then pushes SDS). */
  static final Duration RENEWAL_CHECK = Duration.ofSeconds(30);

  private final CertificateAuthority ca;
  private final ServingCertificateManager servingCertificate;
  private final Server grpc;
  private final WorkloadCertificateIssuer workloadCertificates;
  private final Optional<AdsServer> ads;
  private final Clock clock;
  private final ScheduledExecutorService renewals;
  private final RootRotator rootRotator;

  private SecureServing(
      CertificateAuthority ca,
      ServingCertificateManager servingCertificate,
      Server grpc,
      WorkloadCertificateIssuer workloadCertificates,
      Optional<AdsServer> ads,
      Clock clock,
      RootRotator rootRotator,
      Duration rootCheck) {
    this.ca = ca;
    this.rootRotator = rootRotator;
    this.servingCertificate = servingCertificate;
    this.grpc = grpc;
    this.workloadCertificates = workloadCertificates;
    this.ads = ads;
    this.clock = clock;
    this.renewals =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshctl-workload-cert-renewal");
              t.setDaemon(true);
              return t;
            });
    if (ads.isPresent()) {
      long period = RENEWAL_CHECK.toMillis();
      renewals.scheduleWithFixedDelay(
          this::refreshDueCertificates, period, period, TimeUnit.MILLISECONDS);
    }
    // Checked at start too: a root found already inside its grace period rotates right away.
    renewals.scheduleWithFixedDelay(
        this::checkRootRotation, 0, rootCheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs the root rotation check; when the CA's roots changed, regenerates SDS so every stream gets
   * a certificate from the new root and the new {@code ROOTCA} bundle (cached certificates whose
   * bundle differs are reissued). The {@code istio-ca-root-cert} ConfigMaps follow on their own
   * check. Runs on the renewal thread (or a test's).
   */
  RootRotator.Outcome checkRootRotation() {
    try {
      return pushIfRootsChanged(rootRotator.check());
    } catch (RuntimeException e) {
      log.warn("event=ca_root_check_failed reason=\"{}\"", e.toString());
      return RootRotator.Outcome.FAILED;
    }
  }

  /**
   * Rotates the self-signed root now, whatever its age (an operator's request, tests), and pushes
   * the new certificates and bundle as {@link #checkRootRotation} does. A plugged-in CA is not
   * rotated ({@link RootRotator.Outcome#PLUGGED_IN}). Any thread.
   */
  public RootRotator.Outcome rotateRootNow() {
    return pushIfRootsChanged(rootRotator.rotateNow());
  }

  private RootRotator.Outcome pushIfRootsChanged(RootRotator.Outcome outcome) {
    if ((outcome == RootRotator.Outcome.ROTATED || outcome == RootRotator.Outcome.RELOADED)
        && ads.isPresent()) {
      ads.get().refresh(new PushScope(EnumSet.of(XdsType.SECRET), Set.of()));
    }
    return outcome;
  }

  /**
   * When a cached workload certificate is due, drops it and regenerates SDS for every stream: the
   * streams of that identity get a new one, and only streams whose {@code default}/{@code ROOTCA}
   * changed are sent anything; identities no longer connected are simply forgotten. Runs on the
   * renewal thread (or a test's).
   */
  void refreshDueCertificates() {
    try {
      if (workloadCertificates.removeDue() && ads.isPresent()) {
        ads.get().refresh(new PushScope(EnumSet.of(XdsType.SECRET), Set.of()));
      }
    } catch (RuntimeException e) {
      log.warn("event=workload_cert_refresh_failed reason=\"{}\"", e.toString());
    }
  }

  /** Issues and caches the workload certificates served as SDS {@code default}/{@code ROOTCA}. */
  public WorkloadCertificateIssuer workloadCertificates() {
    return workloadCertificates;
  }

  /**
   * Loads (or on first start creates) the CA, issues the serving certificate and binds the secure
   * xDS port.
   *
   * @param kube the cluster's client: required when {@code settings.caDir()} is empty; when
   *     present, tokens are checked by TokenReview
   * @param ads the ADS server to serve on the secure port too; empty serves the CA only
   * @throws CaKeyMaterialException when the key material is unusable (the message says why)
   * @throws IOException when the port cannot be bound or the token file cannot be read
   */
  public static SecureServing start(
      SecuritySettings settings,
      Optional<KubernetesClient> kube,
      Optional<AdsServer> ads,
      Clock clock)
      throws IOException {
    SecureRandom random = new SecureRandom();
    CaSource source = source(settings, kube);
    CaKeyMaterial material = loadOrCreate(source, settings.trustDomain(), clock, random);
    CertificateAuthority ca =
        new CertificateAuthority(
            material,
            new CaOptions(settings.trustDomain(), CaOptions.DEFAULT_TTL, CaOptions.DEFAULT_MAX_TTL),
            clock,
            random);
    List<Authenticator> authenticators = new ArrayList<>();
    authenticators.add(new ClientCertificateAuthenticator(ca, clock));
    if (kube.isPresent()) {
      authenticators.add(new KubernetesJwtAuthenticator(new KubernetesTokenReviewer(kube.get())));
    } else if (settings.insecureTokens().isPresent()) {
      log.warn(
          "event=insecure_ca_tokens file={} note=\"dev only: anyone who can read the file can"
              + " claim its identities\"",
          settings.insecureTokens().get());
      authenticators.add(
          new KubernetesJwtAuthenticator(
              StaticTokenReviewer.load(settings.insecureTokens().get())));
    }
    ServingCertificateManager serving =
        new ServingCertificateManager(
            ca,
            ServingCertificateManager.istiodDnsNames(settings.namespace()),
            ServingCertificateManager.DEFAULT_TTL,
            clock,
            random);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(settings.secureXdsPort()),
                serving.serverCredentials(TlsServerCredentials.ClientAuth.OPTIONAL))
            .addService(CertificateService.bind(ca, authenticators))
            // As on the plaintext port: Envoy pings long-lived xDS streams.
            .permitKeepAliveTime(15, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    // Callers here are authenticated and their nodes checked, so their streams also get their own
    // workload certificate (SDS default) and the roots (ROOTCA); the plaintext port never does.
    WorkloadCertificateIssuer workloadCertificates =
        new WorkloadCertificateIssuer(ca, null, clock, random);
    ads.ifPresent(
        a ->
            builder.addService(
                ServerInterceptors.intercept(
                    a.withNodeAuthorizer(new CallerNodeAuthorizer(), workloadCertificates),
                    new AuthenticatingInterceptor(authenticators))));
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      throw new IOException(
          "cannot serve secure xDS on port " + settings.secureXdsPort() + ": " + e.getMessage(), e);
    }
    log.info(
        "event=secure_xds_started port={} trust_domain={} ca={} authenticators={}",
        server.getPort(),
        settings.trustDomain(),
        source.location(),
        authenticators.stream().map(Authenticator::name).toList());
    RootRotator rotator =
        new RootRotator(
            new CaStore(settings.trustDomain(), CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random),
            source,
            ca,
            clock,
            gracePercent(System.getenv(GRACE_ENV)) / 100.0);
    return new SecureServing(
        ca,
        serving,
        server,
        workloadCertificates,
        ads,
        clock,
        rotator,
        checkInterval(System.getenv(CHECK_ENV)));
  }

  /** Istio's variable for how often the self-signed root's age is checked (a Go duration). */
  static final String CHECK_ENV = "CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL";

  /** Istio's variable for the rotation grace period, as a percentage of the root's lifetime. */
  static final String GRACE_ENV = "CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE";

  /** The grace percentage from {@code value}; Istio's 20 when unset or not in 1..99 (logged). */
  static int gracePercent(String value) {
    int dflt = (int) Math.round(RootRotator.DEFAULT_GRACE_FRACTION * 100);
    if (value == null || value.isBlank()) {
      return dflt;
    }
    try {
      int p = Integer.parseInt(value.trim());
      if (p >= 1 && p <= 99) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    log.warn("event=invalid_env name={} value=\"{}\" using={}", GRACE_ENV, value, dflt);
    return dflt;
  }

  /** The check interval from {@code value} ({@code 30m}, {@code 1h}, {@code 90s}); 1h if unset. */
  static Duration checkInterval(String value) {
    Duration dflt = RootRotator.DEFAULT_CHECK_INTERVAL;
    if (value == null || value.isBlank()) {
      return dflt;
    }
    String v = value.trim();
    try {
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      Duration d =
          switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> null;
          };
      if (d != null && !d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    log.warn("event=invalid_env name={} value=\"{}\" using={}", CHECK_ENV, value, dflt);
    return dflt;
  }

  private static CaSource source(SecuritySettings settings, Optional<KubernetesClient> kube) {
    if (settings.caDir().isPresent()) {
      return new DirectoryCaSource(settings.caDir().get());
    }
    if (kube.isEmpty()) {
      throw new IllegalArgumentException(
          "no CA directory given and no Kubernetes cluster to keep the CA in Secrets");
    }
    return new SecretCaSource(kube.get(), settings.namespace());
  }

  /**
   * {@link CaStore#loadOrCreate}, re-reading once when another instance created the material
   * between our read and our create: what it wrote is then loaded, never overwritten.
   */
  static CaKeyMaterial loadOrCreate(
      CaSource source, String trustDomain, Clock clock, SecureRandom random) {
    CaStore store = new CaStore(trustDomain, CaStore.DEFAULT_SELF_SIGNED_TTL, clock, random);
    try {
      return store.loadOrCreate(source);
    } catch (CaKeyMaterialException e) {
      if (!(e.getCause() instanceof FileAlreadyExistsException)) {
        throw e;
      }
      log.info("event=ca_create_conflict location={} action=reread", source.location());
      return store.loadOrCreate(source);
    }
  }

  /** The CA. */
  public CertificateAuthority ca() {
    return ca;
  }

  /** The serving certificate of istiod's DNS names (also used by the webhook). */
  public ServingCertificateManager servingCertificate() {
    return servingCertificate;
  }

  /** The bound secure xDS port. */
  public int port() {
    return grpc.getPort();
  }

  /** Stops the secure port, cancelling open streams after a short grace period. */
  @Override
  public void close() {
    renewals.shutdownNow();
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(2, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
        grpc.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
