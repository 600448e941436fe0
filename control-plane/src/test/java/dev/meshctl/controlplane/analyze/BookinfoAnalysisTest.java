package dev.meshctl.controlplane.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The analyzer on Istio's own Bookinfo samples (from the conformance directory). */
class BookinfoAnalysisTest {
  private static Path bookinfo;

  @BeforeAll
  static void findSamples() {
    Path dir = Path.of(System.getProperty("conformance.dir", "../../shared/conformance"));
    bookinfo = dir.resolve("samples/bookinfo");
    Assumptions.assumeTrue(
        Files.isDirectory(bookinfo), "conformance samples missing: " + bookinfo.toAbsolutePath());
  }

  private static AnalysisReport analyze(String... files) throws IOException {
    List<AnalysisInput> inputs = new ArrayList<>();
    for (String f : files) {
      inputs.add(AnalysisInput.of(f, Files.readString(bookinfo.resolve(f))));
    }
    return Analyzer.analyze(inputs);
  }

  @Test
  void bookinfoWithItsRulesIsClean() throws IOException {
    AnalysisReport report =
        analyze(
            "platform/kube/bookinfo.yaml",
            "networking/bookinfo-gateway.yaml",
            "networking/destination-rule-all.yaml",
            "networking/virtual-service-all-v1.yaml");

    assertThat(report.lines()).isEmpty();
    assertThat(report.hostsChecked()).isTrue();
    assertThat(report.summary()).isEqualTo("0 errors, 0 warnings in 4 files");
  }

  @Test
  void routingToSubsetsWithoutTheirDestinationRuleIsReportedPerRoute() throws IOException {
    AnalysisReport report =
        analyze("platform/kube/bookinfo.yaml", "networking/virtual-service-all-v1.yaml");

    String f = "networking/virtual-service-all-v1.yaml:";
    assertThat(report.lines())
        .containsExactly(
            f
                + "0 VirtualService default/productpage: spec.http[0].route[0].destination.subset:"
                + " referenced host+subset in destinationrule not found: \"productpage+v1\""
                + " (IST0101)",
            f
                + "1 VirtualService default/reviews: spec.http[0].route[0].destination.subset:"
                + " referenced host+subset in destinationrule not found: \"reviews+v1\" (IST0101)",
            f
                + "2 VirtualService default/ratings: spec.http[0].route[0].destination.subset:"
                + " referenced host+subset in destinationrule not found: \"ratings+v1\" (IST0101)",
            f
                + "3 VirtualService default/details: spec.http[0].route[0].destination.subset:"
                + " referenced host+subset in destinationrule not found: \"details+v1\""
                + " (IST0101)");
    assertThat(report.summary()).isEqualTo("4 errors, 0 warnings in 2 files");
  }

  /**
   * Each networking sample on top of Bookinfo, its gateway and its DestinationRules: the only error
   * is the one Istio gives too (the cert-manager sample routes to a Service it does not ship), and
   * DestinationRule samples are flagged as re-declaring the rules of destination-rule-all.
   */
  @Test
  void everyNetworkingSampleOnTopOfBookinfoHasNoBrokenReference() throws IOException {
    List<String> samples;
    try (var files = Files.list(bookinfo.resolve("networking"))) {
      samples = files.map(p -> "networking/" + p.getFileName()).sorted().toList();
    }
    assertThat(samples).hasSizeGreaterThan(15);
    for (String sample : samples) {
      AnalysisReport report =
          analyze(
              "platform/kube/bookinfo.yaml",
              "networking/bookinfo-gateway.yaml",
              "networking/destination-rule-all.yaml",
              sample);
      List<String> errors =
          report.diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::line).toList();
      if (sample.equals("networking/certmanager-gateway.yaml")) {
        assertThat(errors)
            .containsExactly(
                sample
                    + ":1 VirtualService istio-system/cert-manager:"
                    + " spec.http[0].route[0].destination.host: referenced host not found:"
                    + " \"cert-manager-resolver\" (IST0101)");
      } else {
        assertThat(errors).as(sample).isEmpty();
      }
      // DestinationRules for hosts destination-rule-all covers already.
      long redeclared =
          Map.of(
                  "networking/destination-rule-all-mtls.yaml", 4L,
                  "networking/destination-rule-reviews.yaml", 1L,
                  "networking/fault-injection-details-v1.yaml", 1L)
              .getOrDefault(sample, 0L);
      assertThat(report.diagnostics().stream().filter(d -> !d.isError()).map(Diagnostic::detail))
          .as(sample)
          .hasSize((int) redeclared)
          .allMatch(d -> d.startsWith("is declared again; the declaration at networking/"));
    }
  }
}
