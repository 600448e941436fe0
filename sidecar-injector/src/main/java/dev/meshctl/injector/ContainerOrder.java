package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Istio's final container order ({@code reorderPod}). istio-proxy is the last app container so that
 * {@code kubectl exec} and logs default to the user's container, or the first with
 * holdApplicationUntilProxyStarts so the kubelet starts it first. As a native sidecar it follows
 * istio-init at the head of the init containers so the user's init containers are in the mesh; in
 * the classic layout istio-init runs last so the user's init containers are not intercepted.
 * Mutates the given spec; call from one thread.
 */
final class ContainerOrder {
  static final String VALIDATION = "istio-validation";

  private ContainerOrder() {}

  static void reorder(PodSpec spec, boolean holdApplication) {
    spec.setContainers(move(spec.getContainers(), SidecarTemplate.PROXY, holdApplication));
    List<Container> init = spec.getInitContainers();
    if (contains(init, SidecarTemplate.PROXY)) {
      init = move(init, SidecarTemplate.PROXY, true);
      init = move(init, VALIDATION, true);
      init = move(init, SidecarTemplate.INIT, true);
    } else {
      init = move(init, VALIDATION, true);
      init = move(init, SidecarTemplate.INIT, false);
    }
    spec.setInitContainers(init);
  }

  private static boolean contains(List<Container> list, String name) {
    return list.stream().anyMatch(c -> name.equals(c.getName()));
  }

  /** Moves the named container to the front ({@code first}) or the back; absent: unchanged. */
  static List<Container> move(List<Container> list, String name, boolean first) {
    List<Container> rest = new ArrayList<>();
    Container match = null;
    for (Container c : list) {
      if (name.equals(c.getName())) {
        match = c;
      } else {
        rest.add(c);
      }
    }
    if (match == null) {
      return new ArrayList<>(list);
    }
    if (first) {
      rest.add(0, match);
    } else {
      rest.add(match);
    }
    return rest;
  }
}
