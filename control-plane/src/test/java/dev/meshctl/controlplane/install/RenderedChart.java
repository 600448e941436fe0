package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The documents {@code helm template} renders from {@code install/helm/meshctl} for one set of
 * values, parsed as YAML, with lookups by kind and name. Immutable once rendered; test threads.
 */
final class RenderedChart {
  static final String RELEASE = "meshctl";
  static final String KUBE_VERSION = "v1.31.0";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String namespace;
  private final String text;
  private final List<JsonNode> documents;

  private RenderedChart(String namespace, String text, List<JsonNode> documents) {
    this.namespace = namespace;
    this.text = text;
    this.documents = List.copyOf(documents);
  }

  /** The chart directory: {@code install/helm/meshctl} beside the module directory. */
  static Path chartDir() {
    // Surefire runs in the module directory and sets basedir to it.
    Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    Path chart = module.getParent().resolve("install/helm/meshctl");
    assertThat(chart.resolve("Chart.yaml")).as("the chart next to %s", module).isRegularFile();
    return chart;
  }

  /** Whether the generated CRDs file ({@code crds/crds.yaml}) is there. */
  static Optional<Path> crdsFile() {
    Path crds = chartDir().resolve("crds/crds.yaml");
    return Files.isRegularFile(crds) ? Optional.of(crds) : Optional.empty();
  }

  /** Renders with the non-default values file of the tests, into {@code namespace}. */
  static RenderedChart renderNonDefault(String namespace) {
    return render(namespace, Map.of(), Optional.of(nonDefaultValues()));
  }

  /** The test values file {@code install/non-default-values.yaml} (test resources). */
  static Path nonDefaultValues() {
    try {
      return Path.of(RenderedChart.class.getResource("/install/non-default-values.yaml").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders with {@code --set key=value} for each entry (scalars only), into {@code namespace}. */
  static RenderedChart render(String namespace, Map<String, ?> sets) {
    return render(namespace, sets, Optional.empty());
  }

  private static RenderedChart render(
      String namespace, Map<String, ?> sets, Optional<Path> valuesFile) {
    TemplateCommand cmd =
        new Helm(chartDir())
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            // helm template assumes Kubernetes 1.20 unless told; the chart needs 1.27.
            .withKubeVersion(KUBE_VERSION);
    if (valuesFile.isPresent()) {
      cmd = cmd.withValuesFile(valuesFile.get());
    }
    for (Map.Entry<String, ?> e : sets.entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    String out = cmd.call();
    return new RenderedChart(namespace, out, parse(out));
  }

  static RenderedChart render(String namespace) {
    return render(namespace, Map.of());
  }

  /** Every non-empty YAML document of a multi-document stream. */
  static List<JsonNode> parse(String yaml) {
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      List<JsonNode> docs = new ArrayList<>();
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not YAML:\n" + yaml, e);
    }
  }

  /** Parses one YAML or JSON value (a ConfigMap's data entry). */
  static JsonNode parseOne(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("not YAML: " + yaml, e);
    }
  }

  String namespace() {
    return namespace;
  }

  String text() {
    return text;
  }

  List<JsonNode> documents() {
    return documents;
  }

  /** The documents the chart's templates render (the CRDs from crds/ left out). */
  List<JsonNode> objects() {
    return documents.stream()
        .filter(d -> !"CustomResourceDefinition".equals(d.path("kind").asText()))
        .toList();
  }

  /** "Kind/name" of every object, in render order. */
  List<String> kindsAndNames() {
    return objects().stream()
        .map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
        .toList();
  }

  Optional<JsonNode> find(String kind, String name) {
    return objects().stream()
        .filter(d -> kind.equals(d.path("kind").asText()))
        .filter(d -> name.equals(d.path("metadata").path("name").asText()))
        .findFirst();
  }

  JsonNode get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(
            () -> new AssertionError("no " + kind + "/" + name + " in " + kindsAndNames()));
  }

  /** The container named {@code name} of Deployment {@code deployment}. */
  JsonNode container(String deployment, String name) {
    JsonNode containers = get("Deployment", deployment).at("/spec/template/spec/containers");
    return StreamSupport.stream(containers.spliterator(), false)
        .filter(c -> name.equals(c.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name + " in " + deployment));
  }

  /** The control plane container's args. */
  List<String> istiodArgs() {
    List<String> args = new ArrayList<>();
    container("istiod", "discovery").path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  /**
   * The files a container sees from the chart's ConfigMaps: path in the pod to content, one per
   * data key of each ConfigMap volume it mounts.
   */
  Map<String, String> configMapFiles(String deployment, String containerName) {
    JsonNode pod = get("Deployment", deployment).at("/spec/template/spec");
    Map<String, String> volumeToConfigMap = new LinkedHashMap<>();
    pod.path("volumes")
        .forEach(
            v -> {
              if (v.has("configMap")) {
                volumeToConfigMap.put(v.path("name").asText(), v.at("/configMap/name").asText());
              }
            });
    Map<String, String> files = new LinkedHashMap<>();
    for (JsonNode mount : container(deployment, containerName).path("volumeMounts")) {
      String configMap = volumeToConfigMap.get(mount.path("name").asText());
      if (configMap == null) {
        continue;
      }
      String dir = mount.path("mountPath").asText();
      get("ConfigMap", configMap)
          .path("data")
          .properties()
          .forEach(e -> files.put(dir + "/" + e.getKey(), e.getValue().asText()));
    }
    return files;
  }

  /** Port name to number of a list of ports ({@code field}: port or containerPort). */
  static Map<String, Integer> ports(JsonNode ports, String field) {
    Map<String, Integer> out = new LinkedHashMap<>();
    ports.forEach(p -> out.put(p.path("name").asText(), p.path(field).asInt()));
    return out;
  }
}
