package dev.meshctl.controlplane.security;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What the secure side of the control plane needs: where the CA's key material lives, the trust
 * domain, the control plane's namespace, and the ports of secure xDS (15012) and the injection
 * webhook (15017). Immutable; any thread.
 *
 * @param caDir the directory of the CA's key material; empty means the Kubernetes Secrets {@code
 *     cacerts} / {@code istio-ca-secret} in {@code namespace} (only valid with Kubernetes)
 * @param trustDomain the SPIFFE trust domain, e.g. {@code cluster.local}
 * @param namespace the control plane's namespace (Secrets, the serving certificate's DNS names)
 * @param secureXdsPort TLS gRPC port for ADS and the CA service, 0 for an ephemeral one
 * @param webhookPort HTTPS port of the injection webhook, 0 for an ephemeral one
 * @param injectorValues an {@code istio-sidecar-injector} ConfigMap manifest; empty for defaults
 * @param insecureTokens DEV ONLY: a file of {@code token namespace serviceaccount} lines accepted
 *     as bearer tokens without any API server (see {@link StaticTokenReviewer})
 */
public record SecuritySettings(
    Optional<Path> caDir,
    String trustDomain,
    String namespace,
    int secureXdsPort,
    int webhookPort,
    Optional<Path> injectorValues,
    Optional<Path> insecureTokens) {
  /** Istio's secure xDS and CA port. */
  public static final int DEFAULT_SECURE_XDS_PORT = 15012;

  /** Istio's control-plane namespace. */
  public static final String DEFAULT_NAMESPACE = "istio-system";

  /** The CA directory used in file mode when none is given, relative to the working directory. */
  public static final Path DEFAULT_CA_DIR = Path.of(".meshctl", "ca");

  public SecuritySettings {
    Objects.requireNonNull(caDir, "caDir");
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(injectorValues, "injectorValues");
    Objects.requireNonNull(insecureTokens, "insecureTokens");
  }
}
