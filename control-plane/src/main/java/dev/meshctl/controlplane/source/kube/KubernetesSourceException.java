package dev.meshctl.controlplane.source.kube;

import java.io.IOException;

/**
 * The Kubernetes source could not start: the API server was unreachable, refused a list, or did not
 * answer within the sync timeout. The message names the server URL and the resource.
 */
public final class KubernetesSourceException extends IOException {
  KubernetesSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
