package dev.meshctl.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.print.ProtoYaml;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.Goldens;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Istio's conformance files, each loaded as-is into one shared world ({@code
 * conformance/world/input.yaml}: Bookinfo, httpbin, the ingress and egress gateways) and checked
 * against a reviewed case under {@code conformance/cases/<case>/}:
 *
 * <ul>
 *   <li>{@code expect.yaml}: the file, the exact load errors Istio would give, the documents of
 *       kinds we do not serve ({@code unsupported}), the proxies the file affects and the reviewed
 *       facts (field exercised, fragment that must or must not appear in that proxy's golden);
 *   <li>{@code <proxy>.yaml}: the golden xDS of each proxy, restricted to what the file changes:
 *       every resource added or changed compared with the world alone, and the names it removes;
 *   <li>{@code review.md}: the review of the golden against the fields the file exercises.
 * </ul>
 *
 * Files are discovered by listing the conformance directories, so a new file fails until it has a
 * reviewed case. Refresh goldens with {@code -Dgolden.update=true} (which also writes a skeleton
 * {@code expect.yaml} for a new file; it still fails until its facts are reviewed).
 */
class ConformanceGoldenTest {
  private static final Path HERE = Path.of("src/test/resources/conformance");
  private static final Path CASES = HERE.resolve("cases");
  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLGenerator.Feature.SPLIT_LINES).build();
  private static final List<String> TYPES = List.of("cds", "eds", "lds", "rds");

  private static Path conformanceDir() {
    Path root = Path.of(System.getProperty("conformance.dir", "../../shared/conformance"));
    Assumptions.assumeTrue(
        Files.isDirectory(root), "conformance data missing at " + root.toAbsolutePath());
    return root;
  }

  /** Every conformance file under test, relative to the conformance directory, sorted. */
  static List<String> conformanceFiles(Path root) {
    List<String> out = new ArrayList<>();
    for (String dir :
        List.of(
            "config/tests/testdata/config",
            "config/tests/testdata/networking",
            "samples/bookinfo/networking")) {
      try (Stream<Path> files = Files.walk(root.resolve(dir))) {
        files
            .filter(p -> p.toString().endsWith(".yaml"))
            .map(p -> root.relativize(p).toString())
            .forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    out.sort(null);
    return out;
  }

  /** The case directory name of a conformance file: {@code config-X}, {@code networking-D}, ... */
  static String caseName(String file) {
    String base = Path.of(file).getFileName().toString().replace(".yaml", "");
    if (file.startsWith("config/tests/testdata/networking/")) {
      return "networking-" + Path.of(file).getParent().getFileName();
    }
    if (file.startsWith("samples/bookinfo/")) {
      return "bookinfo-" + base;
    }
    return "config-" + base;
  }

  @Test
  void everyCaseDirectoryNamesAConformanceFileAndTheCountsMatch() throws IOException {
    List<String> files = conformanceFiles(conformanceDir());
    assertThat(files).hasSize(55);
    List<String> expected = files.stream().map(ConformanceGoldenTest::caseName).sorted().toList();
    try (Stream<Path> dirs = Files.list(CASES)) {
      assertThat(dirs.map(d -> d.getFileName().toString()).sorted().toList())
          .as("one case per conformance file, no stale cases")
          .isEqualTo(expected);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyConformanceFileMatchesItsReviewedGolden() throws IOException {
    Path root = conformanceDir();
    MeshConfig mesh = MeshFixture.mesh(HERE.resolve("world/mesh.yaml"));
    List<ConfigObject> world =
        MeshFixture.objects(Files.readString(HERE.resolve("world/input.yaml")), "world");
    MeshSnapshot baseline = MeshSnapshot.build(mesh, world);
    return conformanceFiles(root).stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    caseName(file), () -> check(root, file, mesh, world, baseline)));
  }

  private static void check(
      Path root, String file, MeshConfig mesh, List<ConfigObject> world, MeshSnapshot baseline)
      throws IOException {
    Path dir = CASES.resolve(caseName(file));
    String text = Files.readString(root.resolve(file));
    MeshFixture.Input input = MeshFixture.decode(text);
    Path expectFile = dir.resolve("expect.yaml");
    if (!Files.exists(expectFile)) {
      if (Goldens.UPDATE) {
        Files.createDirectories(dir);
        Files.writeString(expectFile, skeleton(file, text, input));
      }
      fail("no reviewed case for " + file + ": write " + expectFile + " and review.md");
    }
    JsonNode expect = YAML.readTree(Files.readString(expectFile));
    assertThat(expect.path("file").asText()).isEqualTo(file);
    assertThat(input.errors()).as("load errors of " + file).isEqualTo(strings(expect, "errors"));
    assertThat(input.skipped())
        .as("documents of " + file + " we do not serve")
        .isEqualTo(strings(expect, "unsupported"));

    List<ConfigObject> all = new ArrayList<>(world);
    all.addAll(input.objects());
    MeshSnapshot snapshot = MeshSnapshot.build(mesh, all);
    StringBuilder failures = new StringBuilder();
    Map<String, Map<String, String>> goldens = new LinkedHashMap<>();
    for (String proxyName : strings(expect, "proxies")) {
      Proxy proxy =
          MeshFixture.proxy(Files.readString(HERE.resolve("proxies/" + proxyName + ".yaml")));
      XdsDump before = XdsDump.generate(new MeshFixture(baseline, proxy));
      XdsDump after = XdsDump.generate(new MeshFixture(snapshot, proxy));
      Map<String, String> sections = changes(before, after);
      goldens.put(proxyName, sections);
      failures.append(
          Goldens.check(dir.resolve(proxyName + ".yaml"), golden(proxyName, file, sections)));
      assertThat(pgvViolations(before, after)).as(proxyName + " PGV").isEmpty();
    }
    if (failures.length() > 0) {
      fail("golden differs; rerun with -Dgolden.update=true and review:" + failures);
    }
    assertThat(Files.exists(dir.resolve("review.md"))).as(dir + "/review.md").isTrue();
    JsonNode facts = expect.path("facts");
    assertThat(facts.size()).as("reviewed facts of " + dir).isGreaterThan(0);
    assertThat(factFailures(dir.getFileName().toString(), facts, goldens)).isEmpty();
  }

  /**
   * Each reviewed fact that the goldens contradict: a fact names a proxy of the case, an xDS type,
   * the field it is about, fragments that must appear ({@code expect}) and must not ({@code
   * absent}) in that proxy's golden section of that type.
   */
  static List<String> factFailures(
      String caseName, JsonNode facts, Map<String, Map<String, String>> goldens) {
    List<String> out = new ArrayList<>();
    for (JsonNode fact : facts) {
      String proxyName = fact.path("proxy").asText();
      String type = fact.path("type").asText();
      String why = caseName + " [" + fact.path("field").asText() + "] " + proxyName + " " + type;
      Map<String, String> golden = goldens.get(proxyName);
      if (golden == null || !golden.containsKey(type)) {
        out.add(why + ": no such proxy or type in the case");
        continue;
      }
      if (fact.path("expect").isEmpty() && fact.path("absent").isEmpty()) {
        out.add(why + ": a fact must expect or rule out something");
      }
      String section = golden.get(type);
      for (JsonNode c : fact.path("expect")) {
        if (!section.contains(c.asText())) {
          out.add(why + ": missing " + c.asText());
        }
      }
      for (JsonNode c : fact.path("absent")) {
        if (section.contains(c.asText())) {
          out.add(why + ": unexpected " + c.asText());
        }
      }
    }
    return out;
  }

  @Test
  void aReviewClaimTheGoldenContradictsFails() throws IOException {
    Map<String, Map<String, String>> goldens =
        Map.of("p", Map.of("rds", "abort:\n  http_status: 555\n", "cds", ""));
    JsonNode facts =
        YAML.readTree(
            """
            - {proxy: p, type: rds, field: abort, expect: ["http_status: 555"]}
            - {proxy: p, type: rds, field: wrong status, expect: ["http_status: 500"]}
            - {proxy: p, type: cds, field: no change, absent: ["--- #"]}
            - {proxy: p, type: rds, field: should be absent, absent: ["abort"]}
            - {proxy: q, type: rds, field: unknown proxy, expect: ["x"]}
            - {proxy: p, type: cds, field: empty claim}
            """);
    assertThat(factFailures("c", facts, goldens))
        .containsExactly(
            "c [wrong status] p rds: missing http_status: 500",
            "c [should be absent] p rds: unexpected abort",
            "c [unknown proxy] q rds: no such proxy or type in the case",
            "c [empty claim] p cds: a fact must expect or rule out something");
  }

  /**
   * Per xDS type, what the file changes for one proxy: each resource added or changed (printed
   * whole, after a comment naming it) and one comment line listing the names removed.
   */
  static Map<String, String> changes(XdsDump before, XdsDump after) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("cds", diff(before.clusters(), after.clusters()));
    out.put("eds", diff(before.endpoints(), after.endpoints()));
    out.put("lds", diff(before.listeners(), after.listeners()));
    out.put("rds", diff(before.routes(), after.routes()));
    return out;
  }

  private static String diff(SortedMap<String, Message> before, SortedMap<String, Message> after) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Message> e : after.entrySet()) {
      Message old = before.get(e.getKey());
      if (e.getValue().equals(old)) {
        continue;
      }
      out.append("--- # ").append(old == null ? "added " : "changed ").append(e.getKey());
      Message shown = e.getValue();
      if (old instanceof RouteConfiguration was && shown instanceof RouteConfiguration now) {
        // A route config holds every service of a port: show only the virtual hosts that differ.
        shown = changedVirtualHosts(was, now, out);
      }
      out.append('\n').append(ProtoYaml.print(shown));
    }
    TreeSet<String> removed = new TreeSet<>(before.keySet());
    removed.removeAll(after.keySet());
    if (!removed.isEmpty()) {
      out.append("--- # removed ").append(String.join(" ", removed)).append('\n');
    }
    return out.toString();
  }

  /**
   * {@code now} keeping only the virtual hosts that are new or differ from {@code was}; appends to
   * {@code comment} which virtual hosts were left out or removed.
   */
  private static RouteConfiguration changedVirtualHosts(
      RouteConfiguration was, RouteConfiguration now, StringBuilder comment) {
    Map<String, VirtualHost> before = new LinkedHashMap<>();
    was.getVirtualHostsList().forEach(v -> before.put(v.getName(), v));
    RouteConfiguration.Builder b = now.toBuilder().clearVirtualHosts();
    int same = 0;
    for (VirtualHost v : now.getVirtualHostsList()) {
      VirtualHost old = before.remove(v.getName());
      if (v.equals(old)) {
        same++;
      } else {
        b.addVirtualHosts(v);
      }
    }
    comment.append(" (").append(same).append(" unchanged virtual hosts left out");
    if (!before.isEmpty()) {
      comment.append("; removed virtual hosts: ").append(String.join(" ", before.keySet()));
    }
    comment.append(')');
    return b.build();
  }

  private static String golden(String proxy, String file, Map<String, String> sections) {
    StringBuilder out = new StringBuilder();
    out.append("# What ")
        .append(file)
        .append(" changes in the xDS of proxy '")
        .append(proxy)
        .append("' (see ../../proxies), compared with the world alone.\n");
    for (String type : TYPES) {
      String s = sections.get(type);
      out.append("# ==== ").append(type).append(s.isEmpty() ? ": no change\n" : "\n").append(s);
    }
    return out.toString();
  }

  private static List<String> pgvViolations(XdsDump before, XdsDump after) {
    PgvValidator validator = new PgvValidator();
    List<String> out = new ArrayList<>();
    for (Map<String, Message> m :
        List.of(after.clusters(), after.endpoints(), after.listeners(), after.routes())) {
      m.forEach((k, v) -> validator.validate(v).forEach(x -> out.add(k + ": " + x)));
    }
    return out;
  }

  private static List<String> strings(JsonNode node, String field) {
    List<String> out = new ArrayList<>();
    node.path(field).forEach(n -> out.add(n.asText()));
    return out;
  }

  /** A first expect.yaml for a new file: the observed load result and a guess of its proxies. */
  private static String skeleton(String file, String text, MeshFixture.Input input)
      throws IOException {
    TreeSet<String> proxies = new TreeSet<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc == null || !doc.isObject()) {
          continue;
        }
        String ns = doc.path("metadata").path("namespace").asText("default");
        String guess = ns.equals("default") ? "productpage" : ns;
        if (Files.exists(HERE.resolve("proxies/" + guess + ".yaml"))) {
          proxies.add(guess);
        }
        if (doc.path("kind").asText().equals("Gateway")) {
          proxies.add(
              doc.path("spec").path("selector").path("istio").asText().equals("egressgateway")
                  ? "egressgateway"
                  : "ingressgateway");
        }
      }
    }
    if (proxies.isEmpty()) {
      proxies.add("productpage");
    }
    ObjectNode root = YAML.createObjectNode();
    root.put("file", file);
    ArrayNode p = root.putArray("proxies");
    proxies.forEach(p::add);
    ArrayNode errors = root.putArray("errors");
    input.errors().forEach(errors::add);
    ArrayNode unsupported = root.putArray("unsupported");
    input.skipped().forEach(unsupported::add);
    root.putArray("facts");
    return YAML.writeValueAsString(root);
  }
}
