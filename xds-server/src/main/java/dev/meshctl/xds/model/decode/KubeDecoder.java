package dev.meshctl.xds.model.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.IstioKinds;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.decode.IstioConfigDecoder;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.crds.validation.ValidationReport;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.Namespace;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Node;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.RevisionTag;
import dev.meshctl.xds.model.Secret;
import dev.meshctl.xds.model.SecretBytes;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServiceAttributes;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.model.TrafficDistribution;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Decodes Kubernetes objects (as JSON trees, from YAML files or, later, from informer objects
 * serialised to trees) into model records: Service, EndpointSlice ({@code discovery.k8s.io/v1}),
 * Pod, Secret (its values are never put in an error message), Namespace and Node (labels only), and
 * Istio's {@code networking.istio.io} and {@code security.istio.io} kinds (through {@code
 * api-crds}'s decoder and validator, as {@link IstioObject}). A {@code v1 List} is decoded item by
 * item. Every problem is reported with the object and the field path; an object with any problem is
 * {@link Decoded.Invalid} as a whole. Stateless; any thread.
 */
public final class KubeDecoder {
  /** Namespace of objects that name none, as {@code kubectl apply} would use. */
  public static final String DEFAULT_NAMESPACE = "default";

  private KubeDecoder() {}

  /** Decodes one document; a List yields one result per item. */
  public static List<Decoded> decode(JsonNode doc) {
    List<Decoded> out = new ArrayList<>();
    decodeInto(doc, out);
    return out;
  }

  private static void decodeInto(JsonNode doc, List<Decoded> out) {
    if (doc == null || !doc.isObject()) {
      out.add(new Decoded.Invalid("document", List.of("must be a Kubernetes object (a map)")));
      return;
    }
    FieldReader r = new FieldReader();
    String kind = r.string(doc, "", "kind", "");
    String apiVersion = r.string(doc, "", "apiVersion", "");
    if (kind.endsWith("List") && FieldReader.child(doc, "items") != null) {
      for (JsonNode item : r.array(doc, "", "items")) {
        decodeInto(item, out);
      }
      return;
    }
    if (apiVersion.contains("/")
        && IstioKinds.isModelledGroup(apiVersion.substring(0, apiVersion.indexOf('/')))) {
      out.add(istio(doc));
      return;
    }
    JsonNode metadata = FieldReader.child(doc, "metadata");
    String namespace = r.string(metadata, "metadata", "namespace", "");
    String name = r.string(metadata, "metadata", "name", "");
    if (namespace.isEmpty()) {
      namespace = DEFAULT_NAMESPACE;
    }
    boolean clusterScoped =
        kind.equals("Namespace")
            || kind.equals("Node")
            || kind.equals("MutatingWebhookConfiguration");
    String what =
        (kind.isEmpty() ? "object" : kind) + " " + (clusterScoped ? "" : namespace) + "/" + name;
    if (kind.isEmpty()) {
      out.add(new Decoded.Invalid(what, List.of("kind: is required")));
      return;
    }
    BiFunction<JsonNode, FieldReader, ConfigObject> decoder =
        switch (kind) {
          case "Service" -> apiVersion.equals("v1") ? KubeDecoder::service : null;
          case "EndpointSlice" ->
              apiVersion.equals("discovery.k8s.io/v1") ? KubeDecoder::endpointSlice : null;
          case "Pod" -> apiVersion.equals("v1") ? KubeDecoder::pod : null;
          case "Secret" -> apiVersion.equals("v1") ? KubeDecoder::secret : null;
          case "Namespace" -> apiVersion.equals("v1") ? KubeDecoder::namespace : null;
          case "Node" -> apiVersion.equals("v1") ? KubeDecoder::node : null;
          case "MutatingWebhookConfiguration" ->
              apiVersion.equals("admissionregistration.k8s.io/v1") && isRevisionTag(doc)
                  ? KubeDecoder::revisionTag
                  : null;
          default -> null;
        };
    if (decoder == null) {
      if (List.of("Service", "EndpointSlice", "Pod", "Secret", "Namespace", "Node")
          .contains(kind)) {
        out.add(
            new Decoded.Invalid(
                what, List.of("apiVersion: '" + apiVersion + "' is not supported for " + kind)));
      } else if (kind.equals("MutatingWebhookConfiguration")) {
        out.add(new Decoded.Skipped(what, "not a revision tag (no istio.io/tag label)"));
      } else {
        out.add(new Decoded.Skipped(what, "kind " + kind + " is not used by the mesh"));
      }
      return;
    }
    if (name.isEmpty()) {
      r.error("metadata.name", "is required");
    }
    ConfigObject object = decoder.apply(doc, r);
    if (!r.errors().isEmpty() || object == null) {
      out.add(new Decoded.Invalid(what, r.errors()));
    } else {
      out.add(new Decoded.Ok(object));
    }
  }

  /**
   * A {@code networking.istio.io} or {@code security.istio.io} document: decoded strictly by {@link
   * IstioConfigDecoder}, then checked by {@link NetworkingValidator}. Validation errors drop the
   * object as a whole (with every message); warnings travel with the object.
   */
  private static Decoded istio(JsonNode doc) {
    dev.meshctl.crds.decode.Decoded d = IstioConfigDecoder.decode(doc);
    if (d instanceof dev.meshctl.crds.decode.Decoded.Skipped s) {
      return new Decoded.Skipped(s.what(), s.reason());
    }
    if (d instanceof dev.meshctl.crds.decode.Decoded.Invalid bad) {
      return new Decoded.Invalid(bad.what(), bad.errors());
    }
    IstioConfig config = ((dev.meshctl.crds.decode.Decoded.Ok) d).config();
    ValidationReport report = dev.meshctl.xds.validate.IstioValidation.validate(config);
    if (report.hasErrors()) {
      // The report's lines already start with "Kind ns/name: "; Invalid adds that prefix itself.
      String prefix = config.what() + ": ";
      List<String> errors = new ArrayList<>();
      for (String e : report.errors()) {
        errors.add(e.startsWith(prefix) ? e.substring(prefix.length()) : e);
      }
      return new Decoded.Invalid(config.what(), errors);
    }
    return new Decoded.Ok(new IstioObject(config), report.warnings());
  }

  private static boolean isRevisionTag(JsonNode doc) {
    JsonNode labels = FieldReader.child(FieldReader.child(doc, "metadata"), "labels");
    return labels != null && labels.hasNonNull(RevisionTag.TAG_LABEL);
  }

  /** A revision tag's webhook configuration: its tag and revision labels, both required. */
  private static RevisionTag revisionTag(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    Map<String, String> labels = r.stringMap(md, "metadata", "labels");
    String tag = labels.getOrDefault(RevisionTag.TAG_LABEL, "");
    String revision = labels.getOrDefault("istio.io/rev", "");
    if (tag.isEmpty()) {
      r.error("metadata.labels." + RevisionTag.TAG_LABEL, "must not be empty");
    }
    if (revision.isEmpty()) {
      r.error("metadata.labels.istio.io/rev", "is required: the revision the tag points at");
    }
    return new RevisionTag(r.string(md, "metadata", "name", ""), tag, revision);
  }

  private static NamespacedName id(JsonNode doc) {
    JsonNode md = FieldReader.child(doc, "metadata");
    String ns = md != null && md.hasNonNull("namespace") ? md.get("namespace").asText() : "";
    String name = md != null && md.hasNonNull("name") ? md.get("name").asText() : "";
    return NamespacedName.of(ns.isEmpty() ? DEFAULT_NAMESPACE : ns, name);
  }

  private static Service service(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    JsonNode spec = FieldReader.child(doc, "spec");
    List<ServicePort> ports = new ArrayList<>();
    List<JsonNode> portNodes = r.array(spec, "spec", "ports");
    for (int i = 0; i < portNodes.size(); i++) {
      String p = "spec.ports[" + i + "]";
      JsonNode pn = portNodes.get(i);
      int port = r.port(pn, p, "port", true);
      String name = r.string(pn, p, "name", "");
      if (name.isEmpty() && portNodes.size() > 1) {
        r.error(p + ".name", "is required when a Service has more than one port");
      }
      JsonNode target = FieldReader.child(pn, "targetPort");
      int targetPort = port;
      String targetName = "";
      if (target != null) {
        if (target.isIntegralNumber()) {
          targetPort = r.port(pn, p, "targetPort", false);
        } else if (target.isTextual() && !target.asText().isEmpty()) {
          targetName = target.asText();
          targetPort = 0;
        } else {
          r.error(
              p + ".targetPort",
              "must be a port number or a port name, got " + FieldReader.quoted(target));
        }
      }
      String transport = r.string(pn, p, "protocol", "TCP");
      if (!List.of("TCP", "UDP", "SCTP").contains(transport)) {
        r.error(p + ".protocol", "must be TCP, UDP or SCTP, got \"" + transport + "\"");
      }
      String appProtocol = r.string(pn, p, "appProtocol", "");
      if (port > 0 && (targetPort >= 0)) {
        ports.add(new ServicePort(name, port, targetPort, targetName, transport, appProtocol));
      }
    }
    String type = r.string(spec, "spec", "type", "ClusterIP");
    String clusterIp = r.string(spec, "spec", "clusterIP", "");
    if (type.equals("ExternalName")) {
      r.error("spec.type", "ExternalName services are not supported yet");
    }
    Map<String, String> annotations = r.stringMap(md, "metadata", "annotations");
    List<String> exportTo = exportTo(annotations.getOrDefault(EXPORT_TO_ANNOTATION, ""), r);
    String distributionSpec = r.string(spec, "spec", "trafficDistribution", "");
    TrafficDistribution distribution =
        TrafficDistribution.of(distributionSpec.isEmpty() ? null : distributionSpec, annotations);
    return new Service(
        id(doc),
        r.stringMap(md, "metadata", "labels"),
        r.stringMap(spec, "spec", "selector"),
        clusterIp,
        ports,
        exportTo.isEmpty() && distribution == TrafficDistribution.ANY
            ? ServiceAttributes.KUBERNETES
            : new ServiceAttributes(
                "", null, false, List.of(), exportTo, List.of(), null, distribution));
  }

  /** Istio's annotation limiting where a Kubernetes Service is visible, like {@code exportTo}. */
  public static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

  /**
   * The namespaces of an {@value #EXPORT_TO_ANNOTATION} value: comma-separated {@code .}, {@code
   * *}, {@code ~} or namespace names; blanks ignored; anything else is an error.
   */
  private static List<String> exportTo(String value, FieldReader r) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String ns = part.strip();
      if (ns.isEmpty()) {
        continue;
      }
      if (!ns.equals(".") && !ns.equals("*") && !ns.equals("~") && !ns.matches(DNS_LABEL)) {
        r.error(
            "metadata.annotations." + EXPORT_TO_ANNOTATION,
            "must list \".\", \"*\", \"~\" or namespace names, got \"" + ns + "\"");
        continue;
      }
      out.add(ns);
    }
    return out;
  }

  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

  private static EndpointSlice endpointSlice(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    Map<String, String> labels = r.stringMap(md, "metadata", "labels");
    String addressType = r.requiredString(doc, "", "addressType");
    if (!addressType.isEmpty() && !List.of("IPv4", "IPv6", "FQDN").contains(addressType)) {
      r.error("addressType", "must be IPv4, IPv6 or FQDN, got \"" + addressType + "\"");
    }
    List<EndpointSlice.EndpointPort> ports = new ArrayList<>();
    List<JsonNode> portNodes = r.array(doc, "", "ports");
    for (int i = 0; i < portNodes.size(); i++) {
      String p = "ports[" + i + "]";
      JsonNode pn = portNodes.get(i);
      int port = r.port(pn, p, "port", false);
      if (port > 0) {
        ports.add(
            new EndpointSlice.EndpointPort(
                r.string(pn, p, "name", ""),
                port,
                r.string(pn, p, "protocol", "TCP"),
                r.string(pn, p, "appProtocol", "")));
      }
    }
    List<EndpointSlice.Endpoint> endpoints = new ArrayList<>();
    List<JsonNode> epNodes = r.array(doc, "", "endpoints");
    for (int i = 0; i < epNodes.size(); i++) {
      String p = "endpoints[" + i + "]";
      JsonNode en = epNodes.get(i);
      List<String> addresses = new ArrayList<>();
      for (JsonNode a : r.array(en, p, "addresses")) {
        addresses.add(a.asText());
      }
      if (addresses.isEmpty()) {
        r.error(p + ".addresses", "must list at least one address");
      }
      JsonNode c = FieldReader.child(en, "conditions");
      String cp = p + ".conditions";
      boolean ready = r.bool(c, cp, "ready", true);
      boolean serving = r.bool(c, cp, "serving", ready);
      boolean terminating = r.bool(c, cp, "terminating", false);
      JsonNode ref = FieldReader.child(en, "targetRef");
      EndpointSlice.TargetRef targetRef =
          ref == null
              ? null
              : new EndpointSlice.TargetRef(
                  r.string(ref, p + ".targetRef", "kind", ""),
                  r.string(ref, p + ".targetRef", "namespace", ""),
                  r.string(ref, p + ".targetRef", "name", ""));
      endpoints.add(
          new EndpointSlice.Endpoint(
              addresses,
              new EndpointSlice.Conditions(ready, serving, terminating),
              r.string(en, p, "zone", ""),
              r.string(en, p, "nodeName", ""),
              r.string(en, p, "hostname", ""),
              targetRef));
    }
    return new EndpointSlice(
        id(doc),
        labels.getOrDefault("kubernetes.io/service-name", ""),
        addressType,
        ports,
        endpoints);
  }

  /** A Namespace: its labels (discovery selectors select namespaces by label). */
  private static Namespace namespace(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    return new Namespace(
        r.string(md, "metadata", "name", ""), r.stringMap(md, "metadata", "labels"));
  }

  /** A Node: its labels (topology labels give endpoint localities). */
  private static Node node(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    return new Node(r.string(md, "metadata", "name", ""), r.stringMap(md, "metadata", "labels"));
  }

  private static Pod pod(JsonNode doc, FieldReader r) {
    JsonNode md = FieldReader.child(doc, "metadata");
    JsonNode spec = FieldReader.child(doc, "spec");
    JsonNode status = FieldReader.child(doc, "status");
    String sa = r.string(spec, "spec", "serviceAccountName", "");
    if (sa.isEmpty()) {
      sa = r.string(spec, "spec", "serviceAccount", "default");
    }
    List<String> ips = new ArrayList<>();
    String podIp = r.string(status, "status", "podIP", "");
    if (!podIp.isEmpty()) {
      ips.add(podIp);
    }
    List<JsonNode> podIps = r.array(status, "status", "podIPs");
    for (int i = 0; i < podIps.size(); i++) {
      String ip = r.string(podIps.get(i), "status.podIPs[" + i + "]", "ip", "");
      if (!ip.isEmpty() && !ips.contains(ip)) {
        ips.add(ip);
      }
    }
    List<Pod.ContainerPort> containerPorts = new ArrayList<>();
    List<JsonNode> containers = r.array(spec, "spec", "containers");
    for (int c = 0; c < containers.size(); c++) {
      String cp = "spec.containers[" + c + "]";
      List<JsonNode> ports = r.array(containers.get(c), cp, "ports");
      for (int i = 0; i < ports.size(); i++) {
        String pp = cp + ".ports[" + i + "]";
        int port = r.port(ports.get(i), pp, "containerPort", true);
        if (port > 0) {
          containerPorts.add(
              new Pod.ContainerPort(
                  r.string(ports.get(i), pp, "name", ""),
                  port,
                  r.string(ports.get(i), pp, "protocol", "TCP")));
        }
      }
    }
    return new Pod(
        id(doc),
        r.stringMap(md, "metadata", "labels"),
        r.stringMap(md, "metadata", "annotations"),
        sa,
        ips,
        r.string(spec, "spec", "nodeName", ""),
        containerPorts);
  }

  /**
   * A {@code v1 Secret}: {@code data} values are base64, {@code stringData} values plain text and
   * win over {@code data} for the same key (as the API server merges them). Errors name the key,
   * never the value: a Secret's content must not reach logs or diagnostics.
   */
  private static Secret secret(JsonNode doc, FieldReader r) {
    Map<String, SecretBytes> data = new TreeMap<>();
    JsonNode encoded = FieldReader.child(doc, "data");
    if (encoded != null && !encoded.isObject()) {
      r.error("data", "must be a map of base64 strings");
    } else if (encoded != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = encoded.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String path = "data." + e.getKey();
        if (e.getValue().isNull()) {
          continue;
        }
        if (!e.getValue().isTextual()) {
          r.error(path, "must be a base64 string");
          continue;
        }
        try {
          data.put(
              e.getKey(),
              SecretBytes.of(Base64.getMimeDecoder().decode(strict(e.getValue().asText()))));
        } catch (IllegalArgumentException bad) {
          r.error(path, "is not valid base64 (value not shown)");
        }
      }
    }
    JsonNode plain = FieldReader.child(doc, "stringData");
    if (plain != null && !plain.isObject()) {
      r.error("stringData", "must be a map of strings");
    } else if (plain != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = plain.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNull()) {
          continue;
        }
        if (!e.getValue().isTextual()) {
          r.error("stringData." + e.getKey(), "must be a string");
          continue;
        }
        data.put(
            e.getKey(), SecretBytes.of(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return Secret.of(id(doc), r.string(doc, "", "type", "Opaque"), data);
  }

  /**
   * {@code value} when it only holds base64 characters and line breaks (which YAML block scalars
   * leave in); the MIME decoder alone would silently skip any other character.
   */
  private static String strict(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/'
              || c == '='
              || c == '\n'
              || c == '\r';
      if (!ok) {
        throw new IllegalArgumentException("not base64");
      }
    }
    return value;
  }
}
