package dev.meshctl.injector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * istio-proxy's environment in the template's order: the agent's identity and CA address, pod facts
 * from the downward API, {@code PROXY_CONFIG} and the {@code ISTIO_META_*} node metadata the agent
 * forwards to istiod. Pure; any thread.
 */
final class ProxyEnv {
  private ProxyEnv() {}

  static List<EnvVar> env(SidecarTemplate.Context ctx) {
    InjectionConfig config = ctx.config();
    List<EnvVar> env = new ArrayList<>();
    env.add(value("PILOT_CERT_PROVIDER", "istiod"));
    env.add(value("CA_ADDR", config.discoveryAddress()));
    env.add(field("POD_NAME", "metadata.name"));
    env.add(field("POD_NAMESPACE", "metadata.namespace"));
    env.add(field("INSTANCE_IP", "status.podIP"));
    env.add(field("SERVICE_ACCOUNT", "spec.serviceAccountName"));
    env.add(field("HOST_IP", "status.hostIP"));
    env.add(resourceField("ISTIO_CPU_LIMIT", "limits.cpu"));
    env.add(value("PROXY_CONFIG", config.proxyConfigJson() + "\n"));
    env.add(value("ISTIO_META_POD_PORTS", podPortsJson(ctx.containers())));
    env.add(
        value(
            "ISTIO_META_APP_CONTAINERS", String.join(",", SidecarTemplate.appContainerNames(ctx))));
    env.add(resourceField("GOMEMLIMIT", "limits.memory"));
    env.add(value("ISTIO_META_CLUSTER_ID", config.clusterName()));
    env.add(field("ISTIO_META_NODE_NAME", "spec.nodeName"));
    env.add(value("ISTIO_META_INTERCEPTION_MODE", ctx.interceptionMode()));
    String workload =
        SidecarTemplate.nonEmpty(
            ctx.labels().get("service.istio.io/workload-name"), ctx.deployment().name());
    if (!workload.isEmpty()) {
      env.add(value("ISTIO_META_WORKLOAD_NAME", workload));
    }
    String owner = ctx.deployment().ownerUri();
    if (!owner.isEmpty()) {
      env.add(value("ISTIO_META_OWNER", owner));
    }
    String meshId = SidecarTemplate.nonEmpty(config.meshId(), config.trustDomain());
    if (!meshId.isEmpty()) {
      env.add(value("ISTIO_META_MESH_ID", meshId));
    }
    if (!config.trustDomain().isEmpty()) {
      env.add(value("TRUST_DOMAIN", config.trustDomain()));
    }
    return env;
  }

  /**
   * {@code ISTIO_META_POD_PORTS}: the pod's container ports as Go marshals {@code ContainerPort}
   * (field order name, hostPort, containerPort, protocol, hostIP; zero values omitted), one per
   * line, in the layout Istio's template produces.
   */
  static String podPortsJson(List<Container> containers) {
    StringBuilder sb = new StringBuilder("[");
    boolean first = true;
    for (Container c : containers) {
      for (ContainerPort p : c.getPorts()) {
        ObjectNode o = Manifests.JSON.createObjectNode();
        if (p.getName() != null && !p.getName().isEmpty()) {
          o.put("name", p.getName());
        }
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          o.put("hostPort", p.getHostPort());
        }
        o.put("containerPort", p.getContainerPort() == null ? 0 : p.getContainerPort());
        if (p.getProtocol() != null && !p.getProtocol().isEmpty()) {
          o.put("protocol", p.getProtocol());
        }
        if (p.getHostIP() != null && !p.getHostIP().isEmpty()) {
          o.put("hostIP", p.getHostIP());
        }
        sb.append("\n    ").append(first ? "" : ",").append(o);
        first = false;
      }
    }
    return sb.append("\n]").toString();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static EnvVar resourceField(String name, String resource) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewResourceFieldRef()
        .withResource(resource)
        .withDivisor(new Quantity("1"))
        .endResourceFieldRef()
        .endValueFrom()
        .build();
  }
}
