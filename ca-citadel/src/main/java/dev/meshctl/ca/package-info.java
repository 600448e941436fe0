/**
 * Citadel: the certificate authority. {@link dev.meshctl.ca.CertificateAuthority} signs workload
 * CSRs for SPIFFE identities; {@code store} loads or creates its key material; {@code server}
 * serves Istio's {@code IstioCertificateService} with pluggable caller authentication; {@code tls}
 * issues and rotates the control plane's own serving certificate. Depends only on api-crds among
 * our modules.
 */
package dev.meshctl.ca;
