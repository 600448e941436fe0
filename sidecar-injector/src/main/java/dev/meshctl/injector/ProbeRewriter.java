package dev.meshctl.injector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rewrites application probes and lifecycle hooks to the agent's status port ({@code
 * :15020/app-health/<container>/{readyz,livez,startupz}} and {@code
 * /app-lifecycle/<container>/{prestopz,poststartz}}), and describes the originals for the agent in
 * {@code ISTIO_KUBE_APP_PROBERS}. Without this the kubelet's probes would be rejected by mTLS.
 * Operates on a pod copy owned by the caller; one thread per pod.
 */
final class ProbeRewriter {
  static final String PROBERS_ENV = "ISTIO_KUBE_APP_PROBERS";

  private ProbeRewriter() {}

  /** Whether to rewrite: the pod annotation (when a valid boolean) over the configured value. */
  static boolean enabled(Map<String, String> annotations, boolean configured) {
    String v = annotations.get(Annotations.REWRITE_PROBERS);
    if (v != null) {
      String t = v.trim().toLowerCase(java.util.Locale.ROOT);
      if (t.equals("true") || t.equals("1") || t.equals("t")) {
        return true;
      }
      if (t.equals("false") || t.equals("0") || t.equals("f")) {
        return false;
      }
    }
    return configured;
  }

  /**
   * The original probes of the application containers as the agent reads them: a JSON object keyed
   * by the rewritten path (sorted, as Go marshals maps), named ports resolved to numbers. Empty
   * when there is nothing to proxy. Probes already pointing at the status port are skipped.
   */
  static String appProbersJson(Pod pod, int statusPort) {
    Map<String, ObjectNode> out = new TreeMap<>();
    for (Container c : allContainers(pod)) {
      if (SidecarTemplate.PROXY.equals(c.getName())) {
        continue;
      }
      Map<String, Integer> ports = new HashMap<>();
      for (ContainerPort p : c.getPorts()) {
        if (p.getName() != null && !p.getName().isEmpty() && p.getContainerPort() != null) {
          ports.put(p.getName(), p.getContainerPort());
        }
      }
      String name = c.getName();
      put(out, healthPath(name, "readyz"), prober(c.getReadinessProbe(), ports, statusPort));
      put(out, healthPath(name, "livez"), prober(c.getLivenessProbe(), ports, statusPort));
      put(out, healthPath(name, "startupz"), prober(c.getStartupProbe(), ports, statusPort));
      if (c.getLifecycle() != null) {
        put(
            out,
            lifecyclePath(name, "prestopz"),
            hook(c.getLifecycle().getPreStop(), ports, statusPort));
        put(
            out,
            lifecyclePath(name, "poststartz"),
            hook(c.getLifecycle().getPostStart(), ports, statusPort));
      }
    }
    if (out.isEmpty()) {
      return "";
    }
    ObjectNode json = Manifests.JSON.createObjectNode();
    out.forEach(json::set);
    return json.toString();
  }

  /** Points the application containers' HTTP, TCP and gRPC probes and hooks at the agent. */
  static void rewrite(Pod pod, int statusPort) {
    for (Container c : allContainers(pod)) {
      if (SidecarTemplate.PROXY.equals(c.getName())) {
        continue;
      }
      String name = c.getName();
      c.setReadinessProbe(convert(c.getReadinessProbe(), healthPath(name, "readyz"), statusPort));
      c.setLivenessProbe(convert(c.getLivenessProbe(), healthPath(name, "livez"), statusPort));
      c.setStartupProbe(convert(c.getStartupProbe(), healthPath(name, "startupz"), statusPort));
      if (c.getLifecycle() != null) {
        c.getLifecycle()
            .setPreStop(
                convert(
                    c.getLifecycle().getPreStop(), lifecyclePath(name, "prestopz"), statusPort));
        c.getLifecycle()
            .setPostStart(
                convert(
                    c.getLifecycle().getPostStart(),
                    lifecyclePath(name, "poststartz"),
                    statusPort));
      }
    }
  }

  static String healthPath(String container, String kind) {
    return "/app-health/" + container + "/" + kind;
  }

  static String lifecyclePath(String container, String kind) {
    return "/app-lifecycle/" + container + "/" + kind;
  }

  private static List<Container> allContainers(Pod pod) {
    List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
    all.addAll(pod.getSpec().getContainers());
    return all;
  }

  private static void put(Map<String, ObjectNode> out, String key, ObjectNode value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  private static ObjectNode prober(Probe p, Map<String, Integer> ports, int statusPort) {
    if (p == null) {
      return null;
    }
    return prober(
        p.getHttpGet(), p.getTcpSocket(), p.getGrpc(), p.getTimeoutSeconds(), ports, statusPort);
  }

  private static ObjectNode hook(LifecycleHandler h, Map<String, Integer> ports, int statusPort) {
    if (h == null) {
      return null;
    }
    return prober(h.getHttpGet(), h.getTcpSocket(), null, null, ports, statusPort);
  }

  /** Go's {@code Prober} JSON (httpGet, tcpSocket, grpc, timeoutSeconds), or null to skip. */
  private static ObjectNode prober(
      HTTPGetAction http,
      TCPSocketAction tcp,
      GRPCAction grpc,
      Integer timeout,
      Map<String, Integer> ports,
      int statusPort) {
    ObjectNode o = Manifests.JSON.createObjectNode();
    if (http != null) {
      Integer port = resolve(http.getPort(), ports, statusPort);
      if (port == null) {
        return null;
      }
      ObjectNode h = o.putObject("httpGet");
      if (http.getPath() != null && !http.getPath().isEmpty()) {
        h.put("path", http.getPath());
      }
      h.put("port", port);
      if (http.getHost() != null && !http.getHost().isEmpty()) {
        h.put("host", http.getHost());
      }
      if (http.getScheme() != null && !http.getScheme().isEmpty()) {
        h.put("scheme", http.getScheme());
      }
      if (!http.getHttpHeaders().isEmpty()) {
        var headers = h.putArray("httpHeaders");
        for (HTTPHeader header : http.getHttpHeaders()) {
          headers.addObject().put("name", header.getName()).put("value", header.getValue());
        }
      }
    } else if (tcp != null) {
      Integer port = resolve(tcp.getPort(), ports, statusPort);
      if (port == null) {
        return null;
      }
      ObjectNode t = o.putObject("tcpSocket");
      t.put("port", port);
      if (tcp.getHost() != null && !tcp.getHost().isEmpty()) {
        t.put("host", tcp.getHost());
      }
    } else if (grpc != null) {
      ObjectNode g = o.putObject("grpc");
      g.put("port", grpc.getPort() == null ? 0 : grpc.getPort());
      if (grpc.getService() != null) {
        g.put("service", grpc.getService());
      }
    } else {
      return null; // exec probes run in the container; nothing to proxy
    }
    if (timeout != null && timeout != 0) {
      o.put("timeoutSeconds", timeout);
    }
    return o;
  }

  /** The numeric port; null for an unknown named port or one already at the status port. */
  private static Integer resolve(IntOrString port, Map<String, Integer> ports, int statusPort) {
    if (port == null) {
      return null;
    }
    if (port.getStrVal() != null) {
      return ports.get(port.getStrVal());
    }
    Integer p = port.getIntVal();
    return p == null || p == statusPort ? null : p;
  }

  private static Probe convert(Probe p, String path, int statusPort) {
    if (p == null) {
      return null;
    }
    if (p.getHttpGet() != null) {
      p.setHttpGet(toStatusPort(p.getHttpGet(), path, statusPort));
    } else if (p.getTcpSocket() != null) {
      p.setHttpGet(toStatusPort(new HTTPGetAction(), path, statusPort));
      p.setTcpSocket(null);
    } else if (p.getGrpc() != null) {
      p.setHttpGet(toStatusPort(new HTTPGetAction(), path, statusPort));
      p.setGrpc(null);
    }
    return p;
  }

  private static LifecycleHandler convert(LifecycleHandler h, String path, int statusPort) {
    if (h == null) {
      return null;
    }
    if (h.getHttpGet() != null) {
      h.setHttpGet(toStatusPort(h.getHttpGet(), path, statusPort));
    } else if (h.getTcpSocket() != null) {
      h.setHttpGet(toStatusPort(new HTTPGetAction(), path, statusPort));
      h.setTcpSocket(null);
    }
    return h;
  }

  /** kubelet → HTTP → agent → (HTTPS) → app: the agent speaks the original scheme. */
  private static HTTPGetAction toStatusPort(HTTPGetAction a, String path, int statusPort) {
    a.setPort(new IntOrString(statusPort));
    a.setPath(path);
    if ("HTTPS".equals(a.getScheme())) {
      a.setScheme("HTTP");
    }
    return a;
  }
}
