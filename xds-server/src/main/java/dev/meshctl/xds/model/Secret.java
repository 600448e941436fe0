package dev.meshctl.xds.model;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Kubernetes Secret ({@code v1 Secret}), kept for the gateway credentials it may hold. Immutable;
 * any thread. Its values are key material: {@link #toString} lists the keys only, and {@link
 * SecretBytes} never prints its content, so a Secret can be logged or shown in diagnostics without
 * leaking it.
 *
 * <p>The keys Istio reads for a gateway credential (its {@code pkg/config/credentials} convention):
 * the generic form {@code cert}, {@code key}, {@code cacert}, which wins when {@code cert} is
 * present, else the {@code kubernetes.io/tls} form {@code tls.crt}, {@code tls.key}, {@code
 * ca.crt}.
 *
 * @param id namespace and name
 * @param type {@code type}, {@code Opaque} when unset
 * @param data {@code data} (base64-decoded) merged with {@code stringData}, by key
 */
public record Secret(NamespacedName id, String type, SortedMap<String, SecretBytes> data)
    implements ConfigObject {
  public static final String GENERIC_CERT = "cert";
  public static final String GENERIC_KEY = "key";
  public static final String GENERIC_CA_CERT = "cacert";
  public static final String TLS_CERT = "tls.crt";
  public static final String TLS_KEY = "tls.key";
  public static final String TLS_CA_CERT = "ca.crt";

  public Secret {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    data = Collections.unmodifiableSortedMap(new TreeMap<>(data));
  }

  public static Secret of(NamespacedName id, String type, Map<String, SecretBytes> data) {
    return new Secret(id, type, new TreeMap<>(data));
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(ConfigKind.SECRET, id);
  }

  /**
   * The certificate chain and private key, when the Secret holds both (generic keys if {@code cert}
   * is present, else {@code tls.crt}/{@code tls.key}).
   */
  public Optional<KeyAndChain> keyAndChain() {
    SecretBytes cert = nonEmpty(GENERIC_CERT);
    SecretBytes key;
    if (cert != null) {
      key = nonEmpty(GENERIC_KEY);
    } else {
      cert = nonEmpty(TLS_CERT);
      key = nonEmpty(TLS_KEY);
    }
    return cert == null || key == null ? Optional.empty() : Optional.of(new KeyAndChain(cert, key));
  }

  /** The CA certificate(s): {@code cacert}, else {@code ca.crt}; empty when neither is set. */
  public Optional<SecretBytes> caCertificate() {
    SecretBytes ca = nonEmpty(GENERIC_CA_CERT);
    return Optional.ofNullable(ca != null ? ca : nonEmpty(TLS_CA_CERT));
  }

  private SecretBytes nonEmpty(String key) {
    SecretBytes b = data.get(key);
    return b == null || b.isEmpty() ? null : b;
  }

  /** {@code Secret ns/name type=T keys=[a, b]}: never the values. */
  @Override
  public String toString() {
    return "Secret " + id + " type=" + type + " keys=" + data.keySet();
  }

  /**
   * A certificate chain (PEM) and its private key (PEM). {@code toString} redacts both (see {@link
   * SecretBytes}).
   */
  public record KeyAndChain(SecretBytes certificateChain, SecretBytes privateKey) {
    public KeyAndChain {
      Objects.requireNonNull(certificateChain, "certificateChain");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }
}
