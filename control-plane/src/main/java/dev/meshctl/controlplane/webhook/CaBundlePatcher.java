package dev.meshctl.controlplane.webhook;

import dev.meshctl.controlplane.leader.LeaderTasks;
import dev.meshctl.controlplane.leader.TaskTerm;
import dev.meshctl.xds.model.RevisionTag;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader task: keeps {@code clientConfig.caBundle} of every webhook in the chart's
 * MutatingWebhookConfiguration ({@code istio-sidecar-injector}), in the revision tags pointing at
 * this revision ({@code istio-revision-tag-<tag>}) and in the ValidatingWebhookConfiguration
 * ({@code istio-validator-<namespace>}) equal to the root that signed our serving certificate, so
 * the API server can call /inject and /validate over TLS. The chart installs them without a bundle;
 * this patches it on start, when the root changes (checked every {@code rootCheck}) and whenever
 * someone changes or the chart re-applies the configuration (watched). A missing configuration is
 * not created: the chart owns it (the webhook may be turned off).
 *
 * <p>Writes are JSON patches of only the {@code caBundle} fields that differ, made on one private
 * thread; an object whose bundles are all current is never written, so our own patch's watch event
 * ends the loop. Called by {@link LeaderTasks}; {@link #patches} from any thread.
 */
public final class CaBundlePatcher implements LeaderTasks.Task {
  private static final Logger log = LoggerFactory.getLogger(CaBundlePatcher.class);

  /** The chart's injection webhook configuration. */
  public static final String INJECTOR = "istio-sidecar-injector";

  private final KubernetesClient client;
  private final String mutatingName;
  private final String validatingName;
  private final String revisionLabel;
  private final Supplier<String> rootPem;
  private final Duration rootCheck;
  private final AtomicLong patches = new AtomicLong();
  private TaskTerm term; // guarded by this
  private SharedIndexInformer<MutatingWebhookConfiguration> mutating; // guarded by this
  private SharedIndexInformer<ValidatingWebhookConfiguration> validating; // guarded by this
  private SharedIndexInformer<MutatingWebhookConfiguration> tags; // guarded by this
  private String bundle; // worker thread only: base64 of the PEM, as caBundle holds it
  // Worker thread only: name -> the resourceVersion we last patched. A cached object still at
  // that version is one the watch has not yet replaced with our result; patching it again would
  // be a duplicate write, so it is skipped until the update event arrives.
  private final Map<String, String> patchedFrom = new HashMap<>();

  /**
   * @param namespace the control plane's namespace (names the validating configuration)
   * @param rootPem the PEM of the root that signed the serving certificate
   * @param rootCheck how often the root is compared with what was patched in
   */
  public CaBundlePatcher(
      KubernetesClient client, String namespace, Supplier<String> rootPem, Duration rootCheck) {
    this(client, namespace, "", rootPem, rootCheck);
  }

  /**
   * @param revision the control plane's revision ({@code ""}: the default one): revision tags
   *     pointing at it ({@code istio.io/tag} webhook configurations labelled {@code istio.io/rev}
   *     with it) call our injector, so their bundles are patched too
   */
  public CaBundlePatcher(
      KubernetesClient client,
      String namespace,
      String revision,
      Supplier<String> rootPem,
      Duration rootCheck) {
    this.client = client;
    this.revisionLabel = revision.isEmpty() ? "default" : revision;
    this.mutatingName = INJECTOR;
    this.validatingName = validatorName(namespace);
    this.rootPem = rootPem;
    this.rootCheck = rootCheck;
  }

  /** The chart's validating configuration name for this namespace. */
  public static String validatorName(String namespace) {
    return "istio-validator-" + namespace;
  }

  @Override
  public String name() {
    return "webhook-ca-bundle";
  }

  @Override
  public synchronized void start() {
    term = TaskTerm.start("meshctl-ca-bundle");
    ScheduledExecutorService w = term.worker();
    bundle = null;
    patchedFrom.clear();
    mutating =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(mutatingName)
            .inform(handler(w));
    term.add(mutating);
    validating =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(validatingName)
            .inform(handler(w));
    term.add(validating);
    tags =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withLabel(RevisionTag.TAG_LABEL)
            .inform(handler(w));
    term.add(tags);
    w.scheduleWithFixedDelay(this::checkRoot, 0, rootCheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (term != null) {
      term.stop();
      term = null;
    }
  }

  /** Patches made so far. */
  public long patches() {
    return patches.get();
  }

  private void checkRoot() {
    String next =
        Base64.getEncoder().encodeToString(rootPem.get().getBytes(StandardCharsets.US_ASCII));
    if (!next.equals(bundle)) {
      bundle = next;
      reconcile();
    }
  }

  /** Patches whatever differs. Worker thread only. */
  private void reconcile() {
    if (bundle == null || Thread.currentThread().isInterrupted()) {
      return;
    }
    SharedIndexInformer<MutatingWebhookConfiguration> m;
    SharedIndexInformer<ValidatingWebhookConfiguration> v;
    SharedIndexInformer<MutatingWebhookConfiguration> t;
    synchronized (this) {
      m = mutating;
      v = validating;
      t = tags;
    }
    if (m == null || v == null || t == null) {
      return;
    }
    for (MutatingWebhookConfiguration tc : t.getStore().list()) {
      java.util.Map<String, String> labels = tc.getMetadata().getLabels();
      if (labels == null || !revisionLabel.equals(labels.get("istio.io/rev"))) {
        continue; // a tag of another revision: its control plane patches it
      }
      String name = tc.getMetadata().getName();
      patch(
          tc,
          tc.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList(),
          ops ->
              client
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName(name)
                  .patch(PatchContext.of(PatchType.JSON), ops));
    }
    MutatingWebhookConfiguration mc = m.getIndexer().getByKey(mutatingName);
    if (mc != null) {
      patch(
          mc,
          mc.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList(),
          ops ->
              client
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName(mutatingName)
                  .patch(PatchContext.of(PatchType.JSON), ops));
    }
    ValidatingWebhookConfiguration vc = v.getIndexer().getByKey(validatingName);
    if (vc != null) {
      patch(
          vc,
          vc.getWebhooks().stream().map(ValidatingWebhook::getClientConfig).toList(),
          ops ->
              client
                  .admissionRegistration()
                  .v1()
                  .validatingWebhookConfigurations()
                  .withName(validatingName)
                  .patch(PatchContext.of(PatchType.JSON), ops));
    }
  }

  private void patch(
      HasMetadata config,
      List<WebhookClientConfig> clientConfigs,
      java.util.function.Consumer<String> send) {
    List<Map<String, Object>> ops = new ArrayList<>();
    for (int i = 0; i < clientConfigs.size(); i++) {
      WebhookClientConfig cc = clientConfigs.get(i);
      if (cc != null && !Objects.equals(cc.getCaBundle(), bundle)) {
        ops.add(
            Map.of(
                "op",
                cc.getCaBundle() == null ? "add" : "replace",
                "path",
                "/webhooks/" + i + "/clientConfig/caBundle",
                "value",
                bundle));
      }
    }
    String name = config.getMetadata().getName();
    String version = config.getMetadata().getResourceVersion();
    if (ops.isEmpty() || (version != null && version.equals(patchedFrom.get(name)))) {
      return;
    }
    try {
      send.accept(Serialization.asJson(ops));
      patches.incrementAndGet();
      patchedFrom.put(name, version);
      log.info(
          "event=webhook_ca_bundle_patched kind={} name={} webhooks={}",
          config.getKind(),
          config.getMetadata().getName(),
          ops.size());
    } catch (KubernetesClientException e) {
      // The next watch event (or root check) retries with what the server then holds.
      log.warn(
          "event=webhook_ca_bundle_patch_failed kind={} name={} code={} error=\"{}\"",
          config.getKind(),
          config.getMetadata().getName(),
          e.getCode(),
          e.getMessage());
    }
  }

  private <T> ResourceEventHandler<T> handler(ScheduledExecutorService w) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        queue();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        queue();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        // Nothing to patch; a re-created configuration arrives as an add.
      }

      private void queue() {
        try {
          w.execute(CaBundlePatcher.this::reconcile);
        } catch (RejectedExecutionException e) {
          // Stopped (leadership lost): the next leader patches.
        }
      }
    };
  }
}
