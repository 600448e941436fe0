/**
 * Sidecar injection: the pure {@link dev.meshctl.injector.SidecarInjector} (selection, the sidecar
 * template computed in Java, probe rewriting), the {@link dev.meshctl.injector.InjectionWebhook}
 * that answers Kubernetes AdmissionReviews with a JSON patch, and {@link
 * dev.meshctl.injector.KubeInject} behind {@code meshctl kube-inject}. Depends only on api-crds and
 * the fabric8 Kubernetes model.
 */
package dev.meshctl.injector;
