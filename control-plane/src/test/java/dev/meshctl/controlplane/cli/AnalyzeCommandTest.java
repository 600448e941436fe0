package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshctl analyze} through {@link Main#run}: output, exit codes, files and directories. */
class AnalyzeCommandTest {
  private static final String NL = System.lineSeparator();
  private static final String SERVICE =
      "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\n"
          + "spec: {ports: [{name: http, port: 9080}]}\n";
  private static final String VS =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\n"
          + "spec: {hosts: [reviews], http: [{route: [{destination: {host: %s}}]}]}\n";

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(
        args,
        Map.of(),
        new PrintWriter(out),
        new PrintWriter(err),
        (settings, level, o, e) -> {
          throw new AssertionError("analyze must not serve");
        });
  }

  private Path write(String relative, String text) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  @Test
  void cleanInputExitsZeroWithOnlyTheSummary() throws IOException {
    Path f = write("mesh.yaml", SERVICE + "---\n" + VS.formatted("reviews"));

    assertThat(run("analyze", f.toString())).isZero();
    assertThat(out.toString()).isEqualTo("0 errors, 0 warnings in 1 file" + NL);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void errorsArePrintedWithTheFileAsGivenAndExitOne() throws IOException {
    Path f = write("mesh.yaml", SERVICE + "---\n" + VS.formatted("reviewz"));

    assertThat(run("analyze", f.toString())).isEqualTo(1);
    assertThat(out.toString())
        .isEqualTo(
            f
                + ":1 VirtualService default/reviews: spec.http[0].route[0].destination.host:"
                + " referenced host not found: \"reviewz\" (IST0101)"
                + NL
                + "1 error, 0 warnings in 1 file"
                + NL);
  }

  @Test
  void warningsAloneExitZero() throws IOException {
    Path f =
        write(
            "svc.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"db\"},"
                + " \"spec\": {\"ports\": [{\"port\": 5432}]}}");

    assertThat(run("analyze", f.toString())).isZero();
    assertThat(out.toString())
        .startsWith(f + ":0 warning: Service default/db: spec.ports[0].name: port name \"\"")
        .endsWith("0 errors, 1 warning in 1 file" + NL);
  }

  @Test
  void aDirectoryIsReadRecursivelyAndFilesAreNamedBelowIt() throws IOException {
    write("services/reviews.yaml", SERVICE);
    write("rules/reviews.yml", VS.formatted("reviews") + "---\n" + VS.formatted("ratings"));
    write("rules/notes.txt", "not config: ignored");
    write(".hidden/broken.yaml", "{ not yaml");

    assertThat(run("analyze", dir.toString())).isEqualTo(1);
    String rules = dir.resolve("rules").resolve("reviews.yml").toString().replace('\\', '/');
    assertThat(out.toString())
        .isEqualTo(
            rules
                + ":1 VirtualService default/reviews: is declared again; the declaration at "
                + rules
                + ":0 is used"
                + NL
                + "1 error, 0 warnings in 2 files"
                + NL);
  }

  @Test
  void withoutServicesItSaysHostsWereNotChecked() throws IOException {
    Path f = write("vs.yaml", VS.formatted("nowhere"));

    assertThat(run("analyze", f.toString())).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "note: the inputs declare no Service or ServiceEntry, so references to hosts were"
                + " not checked; add the Services to the inputs to check them"
                + NL
                + "0 errors, 0 warnings in 1 file"
                + NL);
  }

  @Test
  void noArgumentOrAMissingPathIsAUsageError() throws IOException {
    assertThat(run("analyze")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Missing required parameter: 'PATH'")
        .contains("Usage: meshctl analyze");

    Path f = write("ok.yaml", SERVICE);
    StringWriter before = new StringWriter();
    before.write(err.toString());
    assertThat(run("analyze", f.toString(), dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err.toString().substring(before.toString().length()))
        .isEqualTo(
            "meshctl analyze: " + dir.resolve("nope.yaml") + ": no such file or directory" + NL);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void helpDescribesTheOutputFormat() {
    assertThat(run("analyze", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: meshctl analyze")
        .contains("<file>:<doc index> [warning: ]<Kind> <ns>/<name>: <field path>: <message>");
  }
}
