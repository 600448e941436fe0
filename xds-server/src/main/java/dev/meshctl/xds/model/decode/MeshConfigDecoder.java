package dev.meshctl.xds.model.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.IstioDuration;
import dev.meshctl.xds.model.LabelSelector;
import dev.meshctl.xds.model.MeshConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Decodes Istio's MeshConfig YAML (the {@code mesh} key of the {@code istio} ConfigMap, or the
 * {@code --mesh-config} file) over {@link MeshConfig#DEFAULT}: fields that are absent keep Istio's
 * default. Every problem is reported as {@code mesh config: <field path>: <message>}; any error
 * makes the whole config unusable (the caller keeps its last good one). Fields we do not read are
 * warnings, never errors: Istio's MeshConfig has many fields that do not change generated config.
 * Stateless; any thread.
 */
public final class MeshConfigDecoder {
  /** The prefix of every message. */
  public static final String PREFIX = "mesh config: ";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private MeshConfigDecoder() {}

  /**
   * What decoding gave: the config when there were no errors, and every message ({@code mesh
   * config: } prefixed).
   */
  public record Result(Optional<MeshConfig> config, List<String> errors, List<String> warnings) {
    public Result {
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
      if (config.isPresent() == !errors.isEmpty()) {
        throw new IllegalArgumentException("a config exactly when there are no errors");
      }
    }
  }

  /** Decodes YAML text; blank text is the default config. */
  public static Result decode(String yaml) {
    List<YamlDocuments.Document> docs = YamlDocuments.parse(yaml);
    if (docs.isEmpty()) {
      return decode((JsonNode) null);
    }
    if (docs.size() > 1) {
      return new Result(
          Optional.empty(),
          List.of(PREFIX + "must be one YAML document, got " + docs.size()),
          List.of());
    }
    YamlDocuments.Document d = docs.get(0);
    if (!d.ok()) {
      return new Result(Optional.empty(), List.of(PREFIX + d.error()), List.of());
    }
    return decode(d.node());
  }

  /** Decodes a parsed tree; {@code null} is the default config. */
  public static Result decode(JsonNode root) {
    Reader r = new Reader();
    MeshConfig base = MeshConfig.DEFAULT;
    if (root == null || root.isNull() || root.isMissingNode()) {
      return new Result(Optional.of(base), List.of(), List.of());
    }
    if (!root.isObject()) {
      r.error("", "must be a map, got " + FieldReader.kindOf(root));
      return r.result(null);
    }
    String rootNamespace = base.rootNamespace();
    String trustDomain = base.trustDomain();
    MeshConfig.OutboundTrafficPolicy policy = base.outboundTrafficPolicy();
    Duration connectTimeout = base.connectTimeout();
    boolean autoMtls = base.enableAutoMtls();
    List<LabelSelector> selectors = List.of();
    MeshConfig.IngressControllerMode ingressMode = base.ingressControllerMode();
    String ingressClass = base.ingressClass();
    String discoveryAddress = null;
    MeshDefaultsReader defaults = new MeshDefaultsReader(base.localityLbSetting(), base.defaults());
    for (Map.Entry<String, JsonNode> e : fields(root)) {
      String f = e.getKey();
      JsonNode v = e.getValue();
      switch (f) {
        case "rootNamespace" -> rootNamespace = r.name(v, f, DNS_LABEL, rootNamespace);
        case "trustDomain" -> trustDomain = r.name(v, f, DNS_NAME, trustDomain);
        case "outboundTrafficPolicy" -> policy = r.outboundPolicy(v, f, policy);
        case "connectTimeout" -> connectTimeout = r.duration(v, f, connectTimeout);
        case "enableAutoMtls" -> autoMtls = r.bool(v, f, autoMtls);
        case "discoverySelectors" -> selectors = r.selectors(v, f);
        case "ingressControllerMode" -> ingressMode = r.ingressMode(v, f, ingressMode);
        case "ingressClass" -> ingressClass = r.text(v, f, ingressClass);
        case "defaultConfig" -> discoveryAddress = r.defaultConfig(v, f);
        default -> {
          if (MeshDefaultsReader.FIELDS.contains(f)) {
            defaults.read(f, v);
          } else {
            r.unknown(f, MeshConfigFields.NO_EFFECT, MeshConfigFields.NOT_SUPPORTED);
          }
        }
      }
    }
    defaults.errors().forEach(e -> r.error("", e));
    defaults.warnings().forEach(w -> r.warnings.add(PREFIX + w));
    if (discoveryAddress == null) {
      discoveryAddress = "istiod." + rootNamespace + ".svc:15012";
    }
    return r.result(
        new MeshConfig(
            trustDomain,
            base.domainSuffix(),
            rootNamespace,
            policy,
            connectTimeout,
            autoMtls,
            selectors,
            ingressMode,
            ingressClass,
            discoveryAddress,
            defaults.locality(),
            defaults.defaults()));
  }

  static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Collects messages for one decode. Not thread-safe. */
  private static final class Reader {
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    void error(String path, String message) {
      errors.add(PREFIX + (path.isEmpty() ? "" : path + ": ") + message);
    }

    void warn(String path, String message) {
      warnings.add(PREFIX + path + ": " + message);
    }

    Result result(MeshConfig config) {
      return errors.isEmpty()
          ? new Result(Optional.of(config), errors, warnings)
          : new Result(Optional.empty(), errors, warnings);
    }

    void unknown(String path, Set<String> noEffect, Set<String> notSupported) {
      String field = path.substring(path.lastIndexOf('.') + 1);
      if (notSupported.contains(field)) {
        warn(path, "is not supported yet; ignored");
      } else if (!noEffect.contains(field)) {
        warn(path, "unknown field; ignored");
      }
    }

    String text(JsonNode v, String path, String def) {
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isTextual()) {
        error(path, "must be a string, got " + FieldReader.kindOf(v));
        return def;
      }
      return v.asText();
    }

    String name(JsonNode v, String path, Pattern syntax, String def) {
      String s = text(v, path, null);
      if (s == null) {
        return def;
      }
      if (!syntax.matcher(s).matches()) {
        error(path, "invalid value \"" + s + "\" (want a lower-case DNS name)");
        return def;
      }
      return s;
    }

    boolean bool(JsonNode v, String path, boolean def) {
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isBoolean()) {
        error(path, "must be true or false, got " + FieldReader.quoted(v));
        return def;
      }
      return v.booleanValue();
    }

    Duration duration(JsonNode v, String path, Duration def) {
      String s = text(v, path, null);
      if (s == null) {
        return def;
      }
      IstioDuration.Result parsed = IstioDuration.parse(s);
      if (parsed.error().isPresent()) {
        error(path, "invalid duration \"" + s + "\": " + parsed.error().get());
        return def;
      }
      Duration d = parsed.value().get();
      if (d.compareTo(Duration.ofMillis(1)) < 0) {
        error(path, "duration \"" + s + "\" must be at least 1ms");
        return def;
      }
      return d;
    }

    MeshConfig.OutboundTrafficPolicy outboundPolicy(
        JsonNode v, String path, MeshConfig.OutboundTrafficPolicy def) {
      if (v == null || v.isNull()) {
        return def;
      }
      if (!v.isObject()) {
        error(path, "must be a map, got " + FieldReader.kindOf(v));
        return def;
      }
      MeshConfig.OutboundTrafficPolicy out = def;
      for (Map.Entry<String, JsonNode> e : fields(v)) {
        String p = path + "." + e.getKey();
        if (e.getKey().equals("mode")) {
          String mode = text(e.getValue(), p, null);
          if (mode == null) {
            continue;
          }
          switch (mode) {
            case "ALLOW_ANY" -> out = MeshConfig.OutboundTrafficPolicy.ALLOW_ANY;
            case "REGISTRY_ONLY" -> out = MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY;
            default -> error(p, "unknown value \"" + mode + "\" (want ALLOW_ANY or REGISTRY_ONLY)");
          }
        } else if (e.getKey().equals("egressProxy")) {
          warn(p, "is not supported yet; ignored");
        } else {
          warn(p, "unknown field; ignored");
        }
      }
      return out;
    }

    MeshConfig.IngressControllerMode ingressMode(
        JsonNode v, String path, MeshConfig.IngressControllerMode def) {
      if (v != null && v.isBoolean() && !v.booleanValue()) {
        // YAML 1.1 reads an unquoted OFF as false.
        return MeshConfig.IngressControllerMode.OFF;
      }
      String s = text(v, path, null);
      if (s == null) {
        return def;
      }
      try {
        return s.equals("UNSPECIFIED") ? def : MeshConfig.IngressControllerMode.valueOf(s);
      } catch (IllegalArgumentException e) {
        error(path, "unknown value \"" + s + "\" (want OFF, DEFAULT or STRICT)");
        return def;
      }
    }

    /** Reads {@code defaultConfig}; returns {@code discoveryAddress} or null. */
    String defaultConfig(JsonNode v, String path) {
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isObject()) {
        error(path, "must be a map, got " + FieldReader.kindOf(v));
        return null;
      }
      String address = null;
      for (Map.Entry<String, JsonNode> e : fields(v)) {
        String p = path + "." + e.getKey();
        if (e.getKey().equals("discoveryAddress")) {
          address = text(e.getValue(), p, null);
        } else if (!MeshConfigFields.PROXY_CONFIG.contains(e.getKey())) {
          warn(p, "unknown field; ignored");
        }
      }
      return address;
    }

    List<LabelSelector> selectors(JsonNode v, String path) {
      List<LabelSelector> out = new ArrayList<>();
      if (v == null || v.isNull()) {
        return out;
      }
      if (!v.isArray()) {
        error(path, "must be a list, got " + FieldReader.kindOf(v));
        return out;
      }
      for (int i = 0; i < v.size(); i++) {
        LabelSelector s = selector(v.get(i), path + "[" + i + "]");
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }

    private LabelSelector selector(JsonNode v, String path) {
      if (!v.isObject()) {
        error(path, "must be a map, got " + FieldReader.kindOf(v));
        return null;
      }
      Map<String, String> labels = new TreeMap<>();
      List<LabelSelector.Requirement> reqs = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : fields(v)) {
        String p = path + "." + e.getKey();
        JsonNode c = e.getValue();
        if (e.getKey().equals("matchLabels")) {
          if (c.isObject()) {
            for (Map.Entry<String, JsonNode> l : fields(c)) {
              String value = text(l.getValue(), p + "." + l.getKey(), "");
              labels.put(l.getKey(), value);
            }
          } else if (!c.isNull()) {
            error(p, "must be a map of strings, got " + FieldReader.kindOf(c));
          }
        } else if (e.getKey().equals("matchExpressions")) {
          if (c.isArray()) {
            for (int i = 0; i < c.size(); i++) {
              LabelSelector.Requirement req = requirement(c.get(i), p + "[" + i + "]");
              if (req != null) {
                reqs.add(req);
              }
            }
          } else if (!c.isNull()) {
            error(p, "must be a list, got " + FieldReader.kindOf(c));
          }
        } else {
          warn(p, "unknown field; ignored");
        }
      }
      return new LabelSelector(labels, reqs);
    }

    private LabelSelector.Requirement requirement(JsonNode v, String path) {
      if (!v.isObject()) {
        error(path, "must be a map, got " + FieldReader.kindOf(v));
        return null;
      }
      String key = text(v.get("key"), path + ".key", "");
      if (key.isEmpty()) {
        error(path + ".key", "is required");
      }
      String op = text(v.get("operator"), path + ".operator", "");
      LabelSelector.Operator operator = null;
      for (LabelSelector.Operator o : LabelSelector.Operator.values()) {
        if (o.name().equals(op)) {
          operator = o;
        }
      }
      if (operator == null) {
        error(
            path + ".operator",
            "unknown value \"" + op + "\" (want In, NotIn, Exists or DoesNotExist)");
      }
      List<String> values = new ArrayList<>();
      JsonNode vs = v.get("values");
      if (vs != null && !vs.isNull()) {
        if (!vs.isArray()) {
          error(path + ".values", "must be a list, got " + FieldReader.kindOf(vs));
        } else {
          for (int i = 0; i < vs.size(); i++) {
            values.add(text(vs.get(i), path + ".values[" + i + "]", ""));
          }
        }
      }
      for (Map.Entry<String, JsonNode> e : fields(v)) {
        if (!Set.of("key", "operator", "values").contains(e.getKey())) {
          warn(path + "." + e.getKey(), "unknown field; ignored");
        }
      }
      if (operator == null || key.isEmpty()) {
        return null;
      }
      boolean set =
          operator == LabelSelector.Operator.In || operator == LabelSelector.Operator.NotIn;
      if (set && values.isEmpty()) {
        error(path + ".values", "must not be empty for operator " + operator);
        return null;
      }
      if (!set && !values.isEmpty()) {
        error(path + ".values", "must be empty for operator " + operator);
        return null;
      }
      return new LabelSelector.Requirement(key, operator, values);
    }
  }
}
