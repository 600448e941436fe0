package dev.meshctl.controlplane.webhook;

import dev.meshctl.ca.tls.ServingCertificateManager;
import dev.meshctl.injector.InjectionConfig;
import dev.meshctl.injector.InjectionConfigLoader;
import dev.meshctl.injector.InjectionWebhook;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhooks of the running control plane: sidecar injection ({@link InjectionWebhook},
 * {@code /inject}) and networking validation ({@link ValidationHandler}, {@code /validate}) over
 * HTTPS with the control plane's rotating serving certificate, the injector configuration loaded
 * once at start from an {@code istio-sidecar-injector} ConfigMap manifest (or the defaults, with
 * the control plane's namespace, trust domain and secure xDS address), and namespaces looked up in
 * the cluster when there is one. {@link #start} and {@link #close} are for the owner.
 */
public final class WebhookServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookServing.class);

  private final InjectionWebhook webhook;

  private WebhookServing(InjectionWebhook webhook) {
    this.webhook = webhook;
  }

  /**
   * Loads the configuration and binds the port.
   *
   * @param port the HTTPS port, 0 for an ephemeral one
   * @param injectorValues the ConfigMap manifest; empty for the defaults
   * @throws IllegalArgumentException when the ConfigMap is malformed (the message names the field)
   */
  public static WebhookServing start(
      int port,
      ServingCertificateManager serving,
      Optional<Path> injectorValues,
      String namespace,
      String trustDomain,
      Optional<KubernetesClient> kube)
      throws IOException {
    InjectionConfig config = config(injectorValues, namespace, trustDomain);
    Function<String, Optional<Namespace>> namespaces =
        kube.<Function<String, Optional<Namespace>>>map(c -> name -> lookup(c, name))
            .orElse(name -> Optional.empty());
    InjectionWebhook webhook =
        InjectionWebhook.start(
            new InetSocketAddress(port), sslContext(serving), () -> config, namespaces);
    webhook.addHandler("/validate", new ValidationHandler());
    return new WebhookServing(webhook);
  }

  /** The defaults adjusted to this control plane, then the ConfigMap's values over them. */
  static InjectionConfig config(Optional<Path> injectorValues, String namespace, String trustDomain)
      throws IOException {
    InjectionConfig base =
        InjectionConfig.defaults().toBuilder()
            .istioNamespace(namespace)
            .discoveryAddress("istiod." + namespace + ".svc:15012")
            .trustDomain(trustDomain)
            .build();
    if (injectorValues.isEmpty()) {
      return base;
    }
    Path file = injectorValues.get();
    try {
      return InjectionConfigLoader.fromConfigMap(
          Files.readString(file, StandardCharsets.UTF_8), base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static SSLContext sslContext(ServingCertificateManager serving) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {serving.keyManager()}, null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("building the webhook's TLS context failed", e);
    }
  }

  private static Optional<Namespace> lookup(KubernetesClient client, String name) {
    try {
      return Optional.ofNullable(client.namespaces().withName(name).get());
    } catch (KubernetesClientException e) {
      // Unknown: the API server's namespaceSelector already chose this pod.
      log.warn("event=namespace_lookup_failed namespace={} reason=\"{}\"", name, e.getMessage());
      return Optional.empty();
    }
  }

  /** The bound port. */
  public int port() {
    return webhook.port();
  }

  @Override
  public void close() {
    webhook.close();
  }
}
