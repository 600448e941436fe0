package dev.meshctl.controlplane.source.kube;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.xds.model.RevisionTag;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;

/**
 * One watched resource: which kind, in which namespace (or cluster-wide), with its informer. {@link
 * #plan} lists every watch of a {@link KubernetesSource}. Immutable after construction (the
 * informer itself is fabric8's, thread-safe).
 *
 * @param kubeKind the Kubernetes kind, e.g. {@code VirtualService}
 * @param apiVersion the group/version the informer lists, e.g. {@code networking.istio.io/v1}
 * @param namespace the namespace, or {@code null} for all namespaces or a cluster-scoped kind
 * @param crd true for an Istio CRD kind: its absence from the cluster is not an error
 * @param informer the (not yet started) informer
 */
record Watch(
    String kubeKind,
    String apiVersion,
    String namespace,
    boolean crd,
    SharedIndexInformer<? extends HasMetadata> informer) {

  /** The ConfigMap holding the mesh config, Istio's name. */
  static final String MESH_CONFIG_MAP = "istio";

  /** {@code VirtualService (networking.istio.io/v1) in all namespaces}: for logs and errors. */
  String describe() {
    return kubeKind
        + (crd ? " (" + apiVersion + ")" : "")
        + (namespace == null ? " in all namespaces" : " in namespace " + namespace);
  }

  /**
   * The version of an Istio kind's API the informers list: the storage version, {@code v1} for
   * every kind but EnvoyFilter ({@code v1alpha3}, its only version). The API server converts
   * objects stored under any served version, so one watch sees them all.
   */
  static String watchedVersion(IstioKind kind) {
    return kind.versions().get(0);
  }

  /** How to make one informer: an {@link Informable} and the resync period. */
  private interface Maker {
    SharedIndexInformer<? extends HasMetadata> make(Informable<? extends HasMetadata> op);
  }

  /**
   * Every watch: per watched namespace (or all), Services, EndpointSlices, Pods, Secrets and every
   * {@link IstioKind}; cluster-wide, Namespaces, Nodes and revision tags
   * (MutatingWebhookConfigurations labelled {@code istio.io/tag}); in {@code
   * controlPlaneNamespace}, the {@value #MESH_CONFIG_MAP} ConfigMap.
   */
  static List<Watch> plan(
      KubernetesClient client,
      List<String> watchNamespaces,
      String controlPlaneNamespace,
      long resyncMillis) {
    Maker maker = op -> op.runnableInformer(resyncMillis);
    List<Watch> out = new ArrayList<>();
    List<String> scopes = new ArrayList<>(watchNamespaces);
    if (scopes.isEmpty()) {
      scopes.add(null);
    }
    for (String ns : scopes) {
      out.add(
          new Watch(
              "Service",
              "v1",
              ns,
              false,
              maker.make(
                  ns == null
                      ? client.services().inAnyNamespace()
                      : client.services().inNamespace(ns))));
      var slices = client.discovery().v1().endpointSlices();
      out.add(
          new Watch(
              "EndpointSlice",
              "discovery.k8s.io/v1",
              ns,
              false,
              maker.make(ns == null ? slices.inAnyNamespace() : slices.inNamespace(ns))));
      out.add(
          new Watch(
              "Pod",
              "v1",
              ns,
              false,
              maker.make(
                  ns == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(ns))));
      out.add(
          new Watch(
              "Secret",
              "v1",
              ns,
              false,
              maker.make(
                  ns == null
                      ? client.secrets().inAnyNamespace()
                      : client.secrets().inNamespace(ns))));
      for (IstioKind kind : IstioKind.values()) {
        ResourceDefinitionContext ctx =
            new ResourceDefinitionContext.Builder()
                .withGroup(kind.group())
                .withVersion(watchedVersion(kind))
                .withKind(kind.kind())
                .withPlural(kind.plural())
                .withNamespaced(true)
                .build();
        var op = client.genericKubernetesResources(ctx);
        Informable<GenericKubernetesResource> scoped =
            ns == null ? op.inAnyNamespace() : op.inNamespace(ns);
        out.add(
            new Watch(
                kind.kind(),
                kind.group() + "/" + watchedVersion(kind),
                ns,
                true,
                maker.make(scoped)));
      }
    }
    out.add(new Watch("Namespace", "v1", null, false, maker.make(client.namespaces())));
    out.add(new Watch("Node", "v1", null, false, maker.make(client.nodes())));
    // Revision tags: only webhook configurations labelled istio.io/tag.
    out.add(
        new Watch(
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1",
            null,
            false,
            maker.make(
                client
                    .admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withLabel(RevisionTag.TAG_LABEL))));
    out.add(
        new Watch(
            "ConfigMap",
            "v1",
            controlPlaneNamespace,
            false,
            maker.make(
                client.configMaps().inNamespace(controlPlaneNamespace).withName(MESH_CONFIG_MAP))));
    return out;
  }

  /** Whether {@code t} (or a cause) is the API server's 404: for a CRD kind, not installed. */
  static boolean notFound(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() == 404) {
        return true;
      }
    }
    return false;
  }
}
