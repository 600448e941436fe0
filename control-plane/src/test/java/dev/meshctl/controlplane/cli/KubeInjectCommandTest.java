package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshctl kube-inject} through {@link Main#run}, as the shell runs it. */
class KubeInjectCommandTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path tmp;

  private int run(String... args) {
    return Main.run(
        args,
        Map.of(),
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          throw new AssertionError("kube-inject must not start the server");
        });
  }

  private static Path hello() {
    String dir = System.getProperty("conformance.dir");
    assumeTrue(dir != null && Files.isDirectory(Path.of(dir, "inject")), "no conformance data");
    return Path.of(dir, "inject", "hello.yaml");
  }

  private static List<JsonNode> docs(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode n = it.nextValue();
        if (n != null && !n.isEmpty()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  private static JsonNode proxy(JsonNode deployment) {
    for (JsonNode c : deployment.at("/spec/template/spec/initContainers")) {
      if (c.path("name").asText().equals("istio-proxy")) {
        return c;
      }
    }
    throw new AssertionError("no istio-proxy in " + deployment);
  }

  @Test
  void injectsWithTheReleaseImageByDefault() throws IOException {
    assertThat(run("kube-inject", "-f", hello().toString())).isZero();

    List<JsonNode> docs = docs(out.toString());
    assertThat(docs).hasSize(1);
    assertThat(proxy(docs.get(0)).path("image").asText())
        .isEqualTo("docker.io/istio/proxyv2:1.28.0");
    assertThat(docs.get(0).at("/spec/template/metadata/annotations/istio.io~1rev").asText())
        .isEqualTo("default");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void valuesFileAndRevisionChangeTheTemplateAndOutputGoesToAFile() throws IOException {
    Path values = tmp.resolve("values.yaml");
    Files.writeString(values, "global:\n  hub: registry.example.com/istio\n  tag: 1.28.2\n");
    Path target = tmp.resolve("out.yaml");

    int code =
        run(
            "kube-inject",
            "-f",
            hello().toString(),
            "--valuesFile",
            values.toString(),
            "--revision",
            "canary",
            "-o",
            target.toString());

    assertThat(code).isZero();
    assertThat(out.toString()).isEmpty();
    JsonNode deployment = docs(Files.readString(target)).get(0);
    assertThat(proxy(deployment).path("image").asText())
        .isEqualTo("registry.example.com/istio/proxyv2:1.28.2");
    assertThat(proxy(deployment).path("env").toString())
        .contains("istiod-canary.istio-system.svc:15012");
    assertThat(deployment.at("/spec/template/metadata/annotations/istio.io~1rev").asText())
        .isEqualTo("canary");
  }

  @Test
  void skippedWorkloadsAreReportedOnStderr() throws IOException {
    Path app = tmp.resolve("app.yaml");
    Files.writeString(
        app,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n"
            + "    sidecar.istio.io/inject: \"false\"\nspec:\n  containers:\n  - name: a\n");

    assertThat(run("kube-inject", "-f", app.toString())).isZero();

    assertThat(docs(out.toString()).get(0).at("/spec/containers")).hasSize(1);
    assertThat(err.toString())
        .isEqualTo(
            "===> Skipping injection because Pod \"p\": label sidecar.istio.io/inject=false"
                + System.lineSeparator());
  }

  @Test
  void errorsExitWithAMessage() throws IOException {
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "kind: Deployment\nmetadata: {name: d}\nspec: {}\n");

    assertThat(run("kube-inject", "-f", tmp.resolve("missing.yaml").toString())).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "meshctl kube-inject: no such file: "
                + tmp.resolve("missing.yaml")
                + System.lineSeparator());
    err.getBuffer().setLength(0);
    assertThat(run("kube-inject", "-f", bad.toString())).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "meshctl kube-inject: document 1 (Deployment \"d\"): spec.template.spec is required"
                + System.lineSeparator());
    err.getBuffer().setLength(0);
    assertThat(run("kube-inject")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--filename=FILE'");
  }
}
