package dev.meshctl.controlplane.security;

import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.CertificateRequestException;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.SpiffeId;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.WorkloadCertificateSource;
import dev.meshctl.xds.translate.secret.WorkloadCertificate;
import java.io.IOException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues the workload certificates the ADS server serves as SDS {@code default} and {@code ROOTCA}:
 * for a proxy's identity {@code spiffe://<trustDomain>/ns/<ns>/sa/<sa>} it generates an EC P-256
 * key, signs a CSR for it with the {@link CertificateAuthority} (so the CA's own policy and TTL
 * apply) and caches the result per identity. A cached certificate is renewed once {@link #RENEW_AT}
 * of its lifetime has passed by the injected clock (Istio's agent rotates at half), or when the
 * CA's roots changed. The key never leaves this object except inside the {@link
 * WorkloadCertificate} handed to the ADS server, and is never logged.
 *
 * <p>Thread-safe: push workers call {@link #certificateFor} concurrently; issuing for one identity
 * is serialised, other identities go on in parallel.
 */
public final class WorkloadCertificateIssuer implements WorkloadCertificateSource {
  private static final Logger log = LoggerFactory.getLogger(WorkloadCertificateIssuer.class);

  /** The fraction of a certificate's lifetime after which it is replaced. */
  public static final double RENEW_AT = 0.5;

  private final CertificateAuthority ca;
  private final Duration ttl;
  private final Clock clock;
  private final SecureRandom random;
  private final ConcurrentMap<SpiffeId, Entry> cache = new ConcurrentHashMap<>();
  private final Set<String> undeclared = ConcurrentHashMap.newKeySet();

  /** A cached certificate and when it is due for renewal. */
  private record Entry(WorkloadCertificate certificate, Instant renewAt, String roots) {}

  /**
   * @param ttl the lifetime asked for (the CA may shorten it); null or zero for the CA's default
   */
  public WorkloadCertificateIssuer(
      CertificateAuthority ca, Duration ttl, Clock clock, SecureRandom random) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  public Optional<WorkloadCertificate> certificateFor(Proxy proxy) {
    if (proxy.namespace().isEmpty()) {
      return Optional.empty();
    }
    if (proxy.serviceAccount().isEmpty()) {
      // The authorizer checks a declared service account against the authenticated caller; an
      // undeclared one is unchecked, so guessing one (e.g. "default") could hand out an identity
      // the caller does not hold. istio-agent always declares it.
      if (undeclared.add(proxy.nodeId())) {
        log.warn(
            "event=workload_cert_refused node={} reason=\"the node declares no SERVICE_ACCOUNT"
                + " metadata, so its identity is unknown\"",
            proxy.nodeId());
      }
      return Optional.empty();
    }
    SpiffeId id;
    try {
      id = ca.identity(proxy.namespace(), proxy.serviceAccount());
    } catch (IllegalArgumentException e) {
      log.warn("event=workload_cert_refused node={} reason=\"{}\"", proxy.nodeId(), e.getMessage());
      return Optional.empty();
    }
    Entry e = cache.get(id);
    if (fresh(e)) {
      return Optional.of(e.certificate());
    }
    // compute() serialises issuing per identity: concurrent pushes for one identity get one key.
    Entry issued = cache.compute(id, (k, old) -> fresh(old) ? old : issue(k, proxy.nodeId(), old));
    return issued == null ? Optional.empty() : Optional.of(issued.certificate());
  }

  /** The earliest renewal time among cached certificates, if any (for scheduling refreshes). */
  public Optional<Instant> nextRenewal() {
    return cache.values().stream().map(Entry::renewAt).min(Instant::compareTo);
  }

  /**
   * Forgets every certificate due for renewal, so the next request for its identity issues a new
   * one and identities no longer asked for do not linger.
   *
   * @return whether anything was due (streams holding it should then be regenerated)
   */
  public boolean removeDue() {
    Instant now = clock.instant();
    return cache.values().removeIf(e -> !now.isBefore(e.renewAt()));
  }

  private boolean fresh(Entry e) {
    return e != null
        && clock.instant().isBefore(e.renewAt())
        && e.roots().equals(ca.keyMaterial().rootBundlePem());
  }

  /** A new certificate, or {@code old} (possibly null) when the CA refuses; logged. */
  private Entry issue(SpiffeId id, String nodeId, Entry old) {
    try {
      KeyPair keys = Keys.ecP256(random);
      IssuedChain chain = ca.signWorkload(csr(keys, id), id, ttl);
      Instant notBefore = chain.leaf().getNotBefore().toInstant();
      Instant notAfter = chain.leaf().getNotAfter().toInstant();
      Duration life = Duration.between(notBefore, notAfter);
      Instant renewAt = notBefore.plusMillis((long) (life.toMillis() * RENEW_AT));
      WorkloadCertificate cert =
          new WorkloadCertificate(
              id.uri(),
              Pem.encodeAll(chain.fullChain()),
              Pem.encode(keys.getPrivate()),
              chain.rootBundlePem());
      log.info(
          "event=workload_cert_issued identity={} serial={} not_after={} renew_at={}",
          id.uri(),
          chain.leaf().getSerialNumber().toString(16),
          notAfter,
          renewAt);
      return new Entry(cert, renewAt, chain.rootBundlePem());
    } catch (CertificateRequestException | RuntimeException e) {
      log.warn(
          "event=workload_cert_failed identity={} node={} reason=\"{}\"",
          id.uri(),
          nodeId,
          e.getMessage());
      return old;
    }
  }

  private static String csr(KeyPair keys, SpiffeId id) {
    try {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(
          Extension.subjectAlternativeName,
          true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
      JcaPKCS10CertificationRequestBuilder b =
          new JcaPKCS10CertificationRequestBuilder(new X500Name(""), keys.getPublic());
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      return Pem.encode(
          b.build(
              new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate()))
                  .build(keys.getPrivate())));
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("building a CSR for " + id.uri() + " failed", e);
    }
  }
}
