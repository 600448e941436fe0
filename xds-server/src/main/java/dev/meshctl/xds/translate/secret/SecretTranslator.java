package dev.meshctl.xds.translate.secret;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Secret;
import dev.meshctl.xds.model.SecretBytes;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.KubernetesSecretName;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds Envoy {@code Secret} resources (SDS). Gateway credentials come from Kubernetes Secrets of
 * the <em>proxy's own namespace</em> only:
 *
 * <ul>
 *   <li>{@code kubernetes://<name>}: {@code tls_certificate} (chain and key) of Secret {@code
 *       <name>} ({@code cert}/{@code key}, else {@code tls.crt}/{@code tls.key});
 *   <li>{@code kubernetes://<name>-cacert}: {@code validation_context} from {@code cacert}/{@code
 *       ca.crt} of Secret {@code <name>}, else of a separate Secret {@code <name>-cacert} (Istio's
 *       convention).
 * </ul>
 *
 * A name stating another namespace ({@code kubernetes://<ns>/<name>}) is never served (see {@link
 * #foreignNamespace}); a missing Secret or key gives no resource. Workload identity secrets ({@code
 * default}, {@code ROOTCA}) are built by {@link #workload}/{@link #roots} from a certificate the
 * ADS server obtains, since issuing one is not pure. Pure and total; any thread.
 */
public final class SecretTranslator {
  private SecretTranslator() {}

  /** The gateway credentials among {@code subscription}'s names; a wildcard gets nothing. */
  public static SortedMap<String, Message> kubernetesSecrets(
      MeshSnapshot snapshot, Proxy proxy, Subscription subscription) {
    if (!(subscription instanceof Subscription.Names names)) {
      // Never "every Secret of the namespace": SDS is always asked for by name.
      return Collections.emptySortedMap();
    }
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names.names()) {
      credentialSecret(snapshot, proxy.namespace(), name).ifPresent(s -> out.put(name, s));
    }
    return out;
  }

  /**
   * True when {@code sdsName} is a {@code kubernetes://} name stating a namespace other than {@code
   * proxyNamespace}: such a request is refused (the server logs it).
   */
  public static boolean foreignNamespace(String sdsName, String proxyNamespace) {
    return ResourceNames.parseKubernetesSecret(sdsName)
        .map(n -> !n.namespace().isEmpty() && !n.namespace().equals(proxyNamespace))
        .orElse(false);
  }

  /** One {@code kubernetes://} resource for a proxy of {@code namespace}, if it can be built. */
  static Optional<io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> credentialSecret(
      MeshSnapshot snapshot, String namespace, String sdsName) {
    Optional<KubernetesSecretName> parsed = ResourceNames.parseKubernetesSecret(sdsName);
    if (parsed.isEmpty()
        || (!parsed.get().namespace().isEmpty() && !parsed.get().namespace().equals(namespace))) {
      return Optional.empty();
    }
    KubernetesSecretName n = parsed.get();
    if (n.caOnly()) {
      Optional<SecretBytes> ca =
          snapshot
              .secrets()
              .get(namespace, n.baseName())
              .flatMap(Secret::caCertificate)
              .or(() -> snapshot.secrets().get(namespace, n.name()).flatMap(Secret::caCertificate));
      return ca.map(bytes -> validation(sdsName, ByteString.copyFrom(bytes.bytes())));
    }
    return snapshot
        .secrets()
        .get(namespace, n.name())
        .flatMap(Secret::keyAndChain)
        .map(
            kc ->
                certificate(
                    sdsName,
                    ByteString.copyFrom(kc.certificateChain().bytes()),
                    ByteString.copyFrom(kc.privateKey().bytes())));
  }

  /** SDS {@code default}: the workload's chain and key. */
  public static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret workload(
      WorkloadCertificate cert) {
    return certificate(
        ResourceNames.SDS_DEFAULT_SECRET,
        ByteString.copyFrom(cert.certificateChainPem(), StandardCharsets.UTF_8),
        ByteString.copyFrom(cert.privateKeyPem(), StandardCharsets.UTF_8));
  }

  /** SDS {@code ROOTCA}: the mesh's trust roots. */
  public static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret roots(
      WorkloadCertificate cert) {
    return validation(
        ResourceNames.SDS_ROOT_SECRET,
        ByteString.copyFrom(cert.rootCertificatesPem(), StandardCharsets.UTF_8));
  }

  private static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret certificate(
      String name, ByteString chain, ByteString key) {
    return io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder()
        .setName(name)
        .setTlsCertificate(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineBytes(chain))
                .setPrivateKey(DataSource.newBuilder().setInlineBytes(key)))
        .build();
  }

  private static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret validation(
      String name, ByteString trustedCa) {
    return io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder()
        .setName(name)
        .setValidationContext(
            CertificateValidationContext.newBuilder()
                .setTrustedCa(DataSource.newBuilder().setInlineBytes(trustedCa)))
        .build();
  }
}
