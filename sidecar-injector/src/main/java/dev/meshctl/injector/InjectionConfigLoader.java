package dev.meshctl.injector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an {@link InjectionConfig} from the shape of Istio's {@code istio-sidecar-injector}
 * ConfigMap: {@code data.values} (the Helm values, JSON or YAML) and {@code data.config} (policy
 * and selectors; its Go templates are ignored, our template is {@link SidecarTemplate}). Missing
 * fields keep the base configuration's value. Pure; any thread.
 *
 * <p>Values read: {@code global.hub}, {@code global.tag}, {@code global.proxy.image}, {@code
 * global.caAddress} (else {@code istiod[-<revision>].<istioNamespace>.svc:15012}), {@code
 * global.istioNamespace}, {@code revision}, {@code global.meshID}, {@code global.trustDomain},
 * {@code global.multiCluster.clusterName}, {@code global.proxy.resources}, {@code
 * global.proxy.holdApplicationUntilProxyStarts}, {@code global.proxy.{includeIPRanges,
 * excludeIPRanges, includeInboundPorts, excludeInboundPorts, includeOutboundPorts,
 * excludeOutboundPorts}}, {@code sidecarInjectorWebhook.rewriteAppHTTPProbe}, and our own {@code
 * global.nativeSidecars} (Istio decides that from the nodes' kubelet version instead). From {@code
 * config}: {@code policy}, {@code neverInjectSelector}, {@code alwaysInjectSelector}.
 */
public final class InjectionConfigLoader {

  private InjectionConfigLoader() {}

  /**
   * Loads from a ConfigMap manifest (YAML or JSON).
   *
   * @throws IllegalArgumentException naming the key and field when something is malformed
   */
  public static InjectionConfig fromConfigMap(String configMapYaml, InjectionConfig base) {
    JsonNode cm = parse(configMapYaml, "ConfigMap");
    JsonNode data = cm.path("data");
    InjectionConfig config = base;
    if (data.hasNonNull("values")) {
      config = fromValues(data.get("values").asText(), config);
    }
    if (data.hasNonNull("config")) {
      config = fromConfig(data.get("config").asText(), config);
    }
    return config;
  }

  /** Applies Helm values ({@code data.values}) over {@code base}. */
  public static InjectionConfig fromValues(String valuesYaml, InjectionConfig base) {
    JsonNode values = parse(valuesYaml, "values");
    JsonNode global = values.path("global");
    JsonNode proxy = global.path("proxy");
    InjectionConfig.Builder b = base.toBuilder();
    String revision = text(values, "revision", base.revision());
    String istioNamespace = text(global, "istioNamespace", base.istioNamespace());
    b.hub(text(global, "hub", base.hub()))
        .tag(text(global, "tag", base.tag()))
        .image(text(proxy, "image", base.image()))
        .revision(revision)
        .istioNamespace(istioNamespace)
        .meshId(text(global, "meshID", base.meshId()))
        .trustDomain(text(global, "trustDomain", base.trustDomain()))
        .clusterName(text(global.path("multiCluster"), "clusterName", base.clusterName()))
        .holdApplicationUntilProxyStarts(
            bool(proxy, "holdApplicationUntilProxyStarts", base.holdApplicationUntilProxyStarts()))
        .nativeSidecars(bool(global, "nativeSidecars", base.nativeSidecars()))
        .rewriteAppHttpProbe(
            bool(
                values.path("sidecarInjectorWebhook"),
                "rewriteAppHTTPProbe",
                base.rewriteAppHttpProbe()));
    String caAddress = text(global, "caAddress", "");
    if (!caAddress.isEmpty()) {
      b.discoveryAddress(caAddress);
    } else if (global.has("istioNamespace") || values.has("revision")) {
      // Istio's template derives the address from the revision and namespace.
      b.discoveryAddress(
          "istiod"
              + (revision.isEmpty() ? "" : "-" + revision)
              + "."
              + istioNamespace
              + ".svc:15012");
    }
    JsonNode resources = proxy.path("resources");
    if (resources.isObject()) {
      b.proxyResources(
          new InjectionConfig.ProxyResources(
              textOrNull(resources.path("requests"), "cpu"),
              textOrNull(resources.path("requests"), "memory"),
              textOrNull(resources.path("limits"), "cpu"),
              textOrNull(resources.path("limits"), "memory")));
    }
    InjectionConfig.Traffic t = base.traffic();
    b.traffic(
        new InjectionConfig.Traffic(
            text(proxy, "includeIPRanges", t.includeIpRanges()),
            text(proxy, "excludeIPRanges", t.excludeIpRanges()),
            text(proxy, "includeInboundPorts", t.includeInboundPorts()),
            text(proxy, "excludeInboundPorts", t.excludeInboundPorts()),
            text(proxy, "includeOutboundPorts", t.includeOutboundPorts()),
            text(proxy, "excludeOutboundPorts", t.excludeOutboundPorts())));
    return b.build();
  }

  /** Applies the injector {@code config} ({@code data.config}) over {@code base}. */
  public static InjectionConfig fromConfig(String configYaml, InjectionConfig base) {
    JsonNode config = parse(configYaml, "config");
    InjectionConfig.Builder b = base.toBuilder();
    if (config.hasNonNull("policy")) {
      String policy = config.get("policy").asText();
      switch (policy) {
        case "enabled" -> b.injectByDefault(true);
        case "disabled" -> b.injectByDefault(false);
        default ->
            throw new IllegalArgumentException(
                "config.policy: \"" + policy + "\" is not enabled or disabled");
      }
    }
    if (config.has("neverInjectSelector")) {
      b.neverInjectSelector(selectors(config.get("neverInjectSelector"), "neverInjectSelector"));
    }
    if (config.has("alwaysInjectSelector")) {
      b.alwaysInjectSelector(selectors(config.get("alwaysInjectSelector"), "alwaysInjectSelector"));
    }
    return b.build();
  }

  private static List<LabelSelectorMatcher> selectors(JsonNode node, String field) {
    List<LabelSelectorMatcher> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("config." + field + ": want a list of label selectors");
    }
    for (int i = 0; i < node.size(); i++) {
      String where = "config." + field + "[" + i + "]";
      LabelSelector selector;
      try {
        selector = Manifests.JSON.treeToValue(node.get(i), LabelSelector.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": not a label selector: " + e.getMessage(), e);
      }
      out.add(LabelSelectorMatcher.of(selector, where));
    }
    return out;
  }

  private static JsonNode parse(String yaml, String what) {
    try {
      JsonNode node = Manifests.YAML.readTree(yaml);
      if (node == null || node.isMissingNode() || node.isNull()) {
        return Manifests.JSON.createObjectNode();
      }
      if (!node.isObject()) {
        throw new IllegalArgumentException(what + ": want a mapping, got " + node.getNodeType());
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? fallback : v.asText();
  }

  private static String textOrNull(JsonNode node, String field) {
    return text(node, field, null);
  }

  private static boolean bool(JsonNode node, String field, boolean fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    return v.isBoolean() ? v.booleanValue() : Boolean.parseBoolean(v.asText());
  }
}
