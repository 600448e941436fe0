package dev.meshctl.controlplane.security;

import dev.meshctl.ca.store.CaSource;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.RootGenerations;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * CA key material in Kubernetes Secrets of the control plane's namespace, as Istio keeps it: a
 * plugged-in CA in {@code cacerts} (read only, used as given) wins; otherwise the self-signed CA in
 * {@code istio-ca-secret}, which {@link #createAll} creates when absent. Existing values are never
 * changed or removed: creation is a plain create, and if the Secret appeared meanwhile (HTTP 409,
 * another instance won) it fails with {@link FileAlreadyExistsException} so the caller re-reads.
 * Root rotation adds keys (a new generation, see {@code RootGenerations}) to the existing {@code
 * istio-ca-secret} by an update conditional on the resourceVersion read, so a concurrent change
 * (HTTP 409) or a key already present is also {@link FileAlreadyExistsException}; {@code cacerts}
 * is never written. Empty values (Istio writes {@code cert-chain.pem: ""} into {@code
 * istio-ca-secret}) count as absent. Thread-safe (the client is).
 */
public final class SecretCaSource implements CaSource {
  /** Istio's self-signed CA Secret. */
  public static final String SELF_SIGNED_SECRET = "istio-ca-secret";

  /** Istio's plugged-in CA Secret. */
  public static final String PLUGGED_IN_SECRET = "cacerts";

  private final KubernetesClient client;
  private final String namespace;

  public SecretCaSource(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public String location() {
    return "secret "
        + namespace
        + "/"
        + PLUGGED_IN_SECRET
        + " or "
        + namespace
        + "/"
        + SELF_SIGNED_SECRET;
  }

  @Override
  public Map<String, byte[]> read() throws IOException {
    Map<String, byte[]> plugged = entries(get(PLUGGED_IN_SECRET));
    return plugged.isEmpty() ? entries(get(SELF_SIGNED_SECRET)) : plugged;
  }

  @Override
  public void createAll(LinkedHashMap<String, byte[]> entries) throws IOException {
    Map<String, String> data = new LinkedHashMap<>();
    entries.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v)));
    if (get(PLUGGED_IN_SECRET) != null) {
      throw new IOException(
          "secret "
              + namespace
              + "/"
              + PLUGGED_IN_SECRET
              + " holds a plugged-in CA; it is never"
              + " written by the control plane");
    }
    Secret existing = get(SELF_SIGNED_SECRET);
    if (existing != null) {
      addTo(existing, data);
      return;
    }
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(SELF_SIGNED_SECRET)
            .endMetadata()
            .withType("istio.io/ca-root")
            .withData(data)
            .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new FileAlreadyExistsException(namespace + "/" + SELF_SIGNED_SECRET);
      }
      throw new IOException(
          "creating secret " + namespace + "/" + SELF_SIGNED_SECRET + " failed: " + e.getMessage(),
          e);
    }
  }

  /** Adds {@code data} to the existing Secret, failing if any key is there or it changed. */
  private void addTo(Secret existing, Map<String, String> data) throws IOException {
    Map<String, byte[]> present = entries(existing);
    for (String key : data.keySet()) {
      if (present.containsKey(key)) {
        throw new FileAlreadyExistsException(namespace + "/" + SELF_SIGNED_SECRET);
      }
    }
    Map<String, String> merged =
        new LinkedHashMap<>(existing.getData() == null ? Map.of() : existing.getData());
    merged.putAll(data);
    // The resourceVersion read is kept: a concurrent writer makes this fail, never lose data.
    Secret updated = new SecretBuilder(existing).withData(merged).build();
    try {
      client.secrets().inNamespace(namespace).resource(updated).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new FileAlreadyExistsException(namespace + "/" + SELF_SIGNED_SECRET);
      }
      throw new IOException(
          "updating secret " + namespace + "/" + SELF_SIGNED_SECRET + " failed: " + e.getMessage(),
          e);
    }
  }

  private Secret get(String name) throws IOException {
    try {
      return client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new IOException(
          "reading secret " + namespace + "/" + name + " failed: " + e.getMessage(), e);
    }
  }

  private static Map<String, byte[]> entries(Secret secret) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (secret == null) {
      return out;
    }
    Set<String> names = new TreeSet<>();
    if (secret.getData() != null) {
      secret.getData().keySet().stream()
          .filter(RootGenerations::isGenerationFile)
          .forEach(names::add);
    }
    if (secret.getStringData() != null) {
      secret.getStringData().keySet().stream()
          .filter(RootGenerations::isGenerationFile)
          .forEach(names::add);
    }
    List<String> known = new ArrayList<>(CaStore.FILE_NAMES);
    known.addAll(names);
    for (String name : known) {
      byte[] value = null;
      if (secret.getData() != null && secret.getData().get(name) != null) {
        value = Base64.getDecoder().decode(secret.getData().get(name));
      } else if (secret.getStringData() != null && secret.getStringData().get(name) != null) {
        value = secret.getStringData().get(name).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      if (value != null && value.length > 0) {
        out.put(name, value);
      }
    }
    return out;
  }
}
