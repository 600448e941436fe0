package dev.meshctl.xds.proxy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.xds.model.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses an xDS {@link Node} into a {@link Proxy} the way Istio does: the id is {@code
 * TYPE~IP~ID~DOMAIN} ({@code sidecar~10.1.2.3~reviews-v1-x.default~default.svc.cluster.local}), and
 * the metadata carries the injected {@code ISTIO_META_*} values ({@code LABELS}, {@code NAMESPACE},
 * {@code SERVICE_ACCOUNT}, {@code INSTANCE_IPS}, {@code GENERATOR}, ...). Stateless; any thread.
 */
public final class ProxyParser {
  private ProxyParser() {}

  /** Parses the node, or explains exactly what is wrong with it. */
  public static Proxy parse(Node node) throws InvalidNodeException {
    String nodeId = node.getId();
    String[] parts = nodeId.split("~", -1);
    if (parts.length != 4) {
      throw new InvalidNodeException(
          "node id '"
              + nodeId
              + "' must have 4 parts TYPE~IP~ID~DOMAIN separated by '~', got "
              + parts.length);
    }
    Proxy.ProxyType type =
        switch (parts[0]) {
          case "sidecar" -> Proxy.ProxyType.SIDECAR;
          case "router" -> Proxy.ProxyType.ROUTER;
          default ->
              throw new InvalidNodeException(
                  "node id '"
                      + nodeId
                      + "': type '"
                      + parts[0]
                      + "' is not supported, expected 'sidecar' or 'router'");
        };
    if (parts[2].isEmpty()) {
      throw new InvalidNodeException("node id '" + nodeId + "': the ID part (POD.NS) is empty");
    }
    Map<String, Value> md = node.getMetadata().getFieldsMap();
    List<String> ips = new ArrayList<>();
    String instanceIps = string(md, "INSTANCE_IPS");
    if (!instanceIps.isEmpty()) {
      for (String ip : instanceIps.split(",")) {
        if (!ip.isBlank()) {
          ips.add(ip.trim());
        }
      }
    }
    if (ips.isEmpty() && !parts[1].isEmpty()) {
      ips.add(parts[1]);
    }
    String namespace = string(md, "NAMESPACE");
    if (namespace.isEmpty()) {
      namespace = namespaceFrom(parts[2], parts[3]);
    }
    if (namespace.isEmpty()) {
      throw new InvalidNodeException(
          "node id '"
              + nodeId
              + "': no namespace: set metadata NAMESPACE or use an ID of the form POD.NAMESPACE");
    }
    String generatorName = string(md, "GENERATOR");
    Proxy.Generator generator =
        switch (generatorName) {
          case "", "envoy" -> Proxy.Generator.ENVOY;
          case "grpc" -> Proxy.Generator.GRPC;
          default ->
              throw new InvalidNodeException(
                  "node '"
                      + nodeId
                      + "': metadata GENERATOR '"
                      + generatorName
                      + "' is not supported, expected 'grpc' or unset");
        };
    return new Proxy(
        type,
        ips,
        parts[2],
        parts[3],
        namespace,
        labels(md.get("LABELS")),
        string(md, "SERVICE_ACCOUNT"),
        generator,
        string(md, "CLUSTER_ID"),
        string(md, "ISTIO_VERSION"),
        nodeId,
        node.hasLocality()
            ? new Locality(
                node.getLocality().getRegion(),
                node.getLocality().getZone(),
                node.getLocality().getSubZone())
            : Locality.UNKNOWN,
        new Proxy.Capture(
            Proxy.InterceptionMode.parse(string(md, "INTERCEPTION_MODE")),
            "true".equalsIgnoreCase(string(md, "UNPRIVILEGED_POD"))));
  }

  private static String namespaceFrom(String id, String domain) {
    int dot = id.lastIndexOf('.');
    if (dot > 0 && dot < id.length() - 1) {
      return id.substring(dot + 1);
    }
    int domainDot = domain.indexOf('.');
    return domainDot > 0 ? domain.substring(0, domainDot) : "";
  }

  private static String string(Map<String, Value> md, String key) {
    Value v = md.get(key);
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  private static Map<String, String> labels(Value v) {
    Map<String, String> out = new TreeMap<>();
    if (v != null && v.hasStructValue()) {
      Struct s = v.getStructValue();
      s.getFieldsMap()
          .forEach(
              (k, val) -> {
                if (val.hasStringValue()) {
                  out.put(k, val.getStringValue());
                }
              });
    }
    return out;
  }
}
