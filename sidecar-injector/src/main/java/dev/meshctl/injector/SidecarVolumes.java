package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;

/**
 * The volumes the sidecar needs and where istio-proxy mounts them: the agent's SDS sockets and
 * certificates, Envoy's config directory, pod labels/annotations, the {@code istio-ca} audience
 * token, and the mesh root certificate from the {@code istio-ca-root-cert} ConfigMap that the
 * namespace controller maintains. Pure; returns new objects on every call.
 */
final class SidecarVolumes {
  /** Projected token lifetime in seconds (12 hours, Istio's value). */
  static final long TOKEN_EXPIRATION_SECONDS = 43200;

  private SidecarVolumes() {}

  static List<VolumeMount> proxyMounts() {
    return List.of(
        mount("workload-socket", "/var/run/secrets/workload-spiffe-uds"),
        mount("credential-socket", "/var/run/secrets/credential-uds"),
        mount("workload-certs", "/var/run/secrets/workload-spiffe-credentials"),
        mount("istiod-ca-cert", "/var/run/secrets/istio"),
        mount("istio-ca-crl", "/var/run/secrets/istio/crl"),
        mount("istio-data", "/var/lib/istio/data"),
        mount("istio-envoy", "/etc/istio/proxy"),
        mount("istio-token", "/var/run/secrets/tokens"),
        mount("istio-podinfo", "/etc/istio/pod"));
  }

  static List<Volume> volumes() {
    return List.of(
        // No source: the API server defaults these to emptyDir, as with Istio's template.
        new VolumeBuilder().withName("workload-socket").build(),
        new VolumeBuilder().withName("credential-socket").build(),
        new VolumeBuilder().withName("workload-certs").build(),
        new VolumeBuilder()
            .withName("istio-envoy")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .build(),
        new VolumeBuilder().withName("istio-data").withNewEmptyDir().endEmptyDir().build(),
        new VolumeBuilder()
            .withName("istio-podinfo")
            .withNewDownwardAPI()
            .addNewItem()
            .withPath("labels")
            .withNewFieldRef()
            .withFieldPath("metadata.labels")
            .endFieldRef()
            .endItem()
            .addNewItem()
            .withPath("annotations")
            .withNewFieldRef()
            .withFieldPath("metadata.annotations")
            .endFieldRef()
            .endItem()
            .endDownwardAPI()
            .build(),
        new VolumeBuilder()
            .withName("istio-token")
            .withNewProjected()
            .addNewSource()
            .withNewServiceAccountToken()
            .withPath("istio-token")
            .withExpirationSeconds(TOKEN_EXPIRATION_SECONDS)
            .withAudience("istio-ca")
            .endServiceAccountToken()
            .endSource()
            .endProjected()
            .build(),
        new VolumeBuilder()
            .withName("istiod-ca-cert")
            .withNewConfigMap()
            .withName("istio-ca-root-cert")
            .endConfigMap()
            .build(),
        new VolumeBuilder()
            .withName("istio-ca-crl")
            .withNewConfigMap()
            .withName("istio-ca-crl")
            .withOptional(true)
            .endConfigMap()
            .build());
  }

  private static VolumeMount mount(String name, String path) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).build();
  }
}
