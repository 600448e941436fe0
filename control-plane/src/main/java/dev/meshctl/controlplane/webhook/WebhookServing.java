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
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhooks of the running control plane: sidecar injection ({@link InjectionWebhook},
 * {@code /inject}) and networking validation ({@link ValidationHandler}, {@code /validate}) over
 * HTTPS with the control plane's rotating serving certificate, the injector configuration loaded
 * from an {@code istio-sidecar-injector} ConfigMap manifest (or the defaults, with the control
 * plane's namespace, trust domain and secure xDS address; the manifest file is watched and re-read,
 * see {@link InjectorConfigFile}), and namespaces looked up in the cluster when there is one.
 * {@link #start} and {@link #close} are for the owner.
 */
public final class WebhookServing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookServing.class);

  private final InjectionWebhook webhook;
  private final Optional<InjectorConfigFile> configFile;

  private WebhookServing(InjectionWebhook webhook, Optional<InjectorConfigFile> configFile) {
    this.webhook = webhook;
    this.configFile = configFile;
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
    InjectionConfig base = base(namespace, trustDomain);
    Optional<InjectorConfigFile> file = Optional.empty();
    Supplier<InjectionConfig> config = () -> base;
    if (injectorValues.isPresent()) {
      // Watched: a ConfigMap update reaches the mounted file and the next AdmissionReview.
      InjectorConfigFile f =
          InjectorConfigFile.start(
              injectorValues.get(),
              text -> InjectionConfigLoader.fromConfigMap(text, base),
              r -> {
                Thread t = new Thread(r, "meshctl-injector-config-watcher");
                t.setDaemon(true);
                return t;
              });
      file = Optional.of(f);
      config = f::current;
    }
    Function<String, Optional<Namespace>> namespaces =
        kube.<Function<String, Optional<Namespace>>>map(c -> name -> lookup(c, name))
            .orElse(name -> Optional.empty());
    InjectionWebhook webhook;
    try {
      webhook =
          InjectionWebhook.start(
              new InetSocketAddress(port), sslContext(serving), config, namespaces);
    } catch (IOException | RuntimeException e) {
      file.ifPresent(InjectorConfigFile::close);
      throw e;
    }
    webhook.addHandler("/validate", new ValidationHandler());
    return new WebhookServing(webhook, file);
  }

  private static InjectionConfig base(String namespace, String trustDomain) {
    return InjectionConfig.defaults().toBuilder()
        .istioNamespace(namespace)
        .discoveryAddress("istiod." + namespace + ".svc:15012")
        .trustDomain(trustDomain)
        .build();
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
    configFile.ifPresent(InjectorConfigFile::close);
  }
}
