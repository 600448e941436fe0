package dev.meshctl.ca.tls;

import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.CertificateRequestException;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.pki.Keys;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's own serving certificate (DNS names of its Service, e.g. {@code
 * istiod.istio-system.svc}), issued by our CA for a key generated here and rotated once half its
 * lifetime has passed. Rotation is checked on every TLS handshake through {@link #keyManager()}, so
 * servers built from {@link #serverCredentials} or {@link #sslContext} present the new certificate
 * without a restart; {@link #rotateIfDue()} may also be called from a timer. Thread-safe.
 */
public final class ServingCertificateManager {
  /** Default lifetime of a serving certificate. */
  public static final Duration DEFAULT_TTL = Duration.ofDays(30);

  /** Fraction of the lifetime after which a new certificate is issued. */
  public static final double ROTATE_AT = 0.5;

  private static final Logger log = LoggerFactory.getLogger(ServingCertificateManager.class);

  private final CertificateAuthority ca;
  private final List<String> dnsNames;
  private final Duration ttl;
  private final Clock clock;
  private final SecureRandom random;
  private final RotatingKeyManager keyManager;
  private volatile ServingCertificate current;
  private volatile ServingCertificate previous;

  public ServingCertificateManager(
      CertificateAuthority ca,
      List<String> dnsNames,
      Duration ttl,
      Clock clock,
      SecureRandom random) {
    if (dnsNames.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
    }
    this.ca = Objects.requireNonNull(ca, "ca");
    this.dnsNames = List.copyOf(dnsNames);
    this.ttl = ttl;
    this.clock = clock;
    this.random = random;
    this.keyManager = new RotatingKeyManager(this);
    this.current = issue(1);
  }

  /** The DNS names of istiod's Service in {@code namespace}, as Istio puts on its certificate. */
  public static List<String> istiodDnsNames(String namespace) {
    return List.of("istiod." + namespace + ".svc", "istiod." + namespace + ".svc.cluster.local");
  }

  /** The certificate to present now, after rotating it if due. */
  public ServingCertificate current() {
    rotateIfDue();
    return current;
  }

  /**
   * Issues a new certificate if half the current one's lifetime has passed.
   *
   * @return whether a new certificate was issued
   */
  public synchronized boolean rotateIfDue() {
    ServingCertificate c = current;
    if (clock.instant().isBefore(c.renewAt())) {
      return false;
    }
    ServingCertificate next = issue(c.generation() + 1);
    previous = c;
    current = next;
    log.info(
        "event=serving_cert_rotated generation={} dns={} not_after={}",
        next.generation(),
        dnsNames,
        next.notAfter());
    return true;
  }

  /** A key manager that always presents the current certificate (rotating it when due). */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * Trusts the CA's current roots: for verifying client certificates our CA issued. Follows root
   * rotation, so both roots are accepted during the overlap.
   */
  public X509TrustManager clientTrustManager() {
    return new CurrentRootsTrustManager(ca);
  }

  /**
   * gRPC server credentials presenting the rotating serving certificate and verifying client
   * certificates against our roots: {@code OPTIONAL} for the CA port (token or certificate), {@code
   * REQUIRE} for mutual TLS only.
   */
  public ServerCredentials serverCredentials(TlsServerCredentials.ClientAuth clientAuth) {
    return TlsServerCredentials.newBuilder()
        .keyManager(keyManager)
        .trustManager(clientTrustManager())
        .clientAuth(clientAuth)
        .build();
  }

  /** The same as {@link #serverCredentials}, as a Netty {@link SslContext} for gRPC. */
  public SslContext sslContext(ClientAuth clientAuth) {
    try {
      return GrpcSslContexts.configure(
              io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(keyManager))
          .trustManager(clientTrustManager())
          .clientAuth(clientAuth)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("building the serving SslContext failed", e);
    }
  }

  /** The certificate of {@code generation}, if it is the current or the previous one. */
  ServingCertificate byGeneration(long generation) {
    ServingCertificate c = current;
    if (c.generation() == generation) {
      return c;
    }
    ServingCertificate p = previous;
    return p != null && p.generation() == generation ? p : null;
  }

  private ServingCertificate issue(long generation) {
    KeyPair keys = Keys.sameFamilyAs(ca.keyMaterial().signingKey(), random);
    Instant issuedAt = clock.instant();
    IssuedChain chain;
    try {
      chain = ca.issueDnsCertificate(keys.getPublic(), dnsNames, ttl);
    } catch (CertificateRequestException e) {
      throw new IllegalStateException("cannot issue the serving certificate: " + e.getMessage(), e);
    }
    Instant notAfter = chain.leaf().getNotAfter().toInstant();
    long lifetimeMillis = Duration.between(issuedAt, notAfter).toMillis();
    Instant renewAt = issuedAt.plusMillis((long) (lifetimeMillis * ROTATE_AT));
    List<X509Certificate> presented = new ArrayList<>(chain.fullChain());
    return new ServingCertificate(generation, keys.getPrivate(), presented, notAfter, renewAt);
  }
}
