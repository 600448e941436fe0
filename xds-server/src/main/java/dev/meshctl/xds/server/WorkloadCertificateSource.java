package dev.meshctl.xds.server;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.secret.WorkloadCertificate;
import java.util.Optional;

/**
 * Where the ADS server gets a proxy's own certificate for SDS {@code default} and {@code ROOTCA}:
 * the seam between serving (here) and issuing, which needs keys, randomness and a clock and so
 * stays out of the pure translators (the control plane implements it over its CA). Only asked for
 * proxies on an authenticated stream (see {@link AdsServer#withNodeAuthorizer(NodeAuthorizer,
 * WorkloadCertificateSource)}), whose node identity the authorizer has checked.
 *
 * <p>Called on push worker threads, concurrently for different proxies: implementations must be
 * thread-safe and should cache, since every push of SDS asks again. The answer should stay the same
 * object (or an equal one) until it is renewed, so an unchanged certificate is not re-sent.
 */
@FunctionalInterface
public interface WorkloadCertificateSource {
  /**
   * The certificate for {@code proxy}'s identity ({@code spiffe://<td>/ns/<ns>/sa/<sa>}), or empty
   * when none can be issued (logged by the implementation; the proxy then gets no {@code default}).
   */
  Optional<WorkloadCertificate> certificateFor(Proxy proxy);
}
