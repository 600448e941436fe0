package dev.meshctl.crds.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.crds.Conformance;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.IstioKinds;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.crds.validation.ValidationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every {@code security.istio.io} document in the conformance data (istiod's test configs and the
 * RBAC builder's AuthorizationPolicy inputs) decodes and validates without error, and survives a
 * round trip through our records with nothing dropped.
 */
class SecurityConformanceTest {

  @Test
  void everySecurityDocumentDecodesAndValidates() {
    List<Path> files = Conformance.securityFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(20);
    Map<IstioKind, Integer> ok = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Path rel : files) {
      for (Decoded d :
          IstioConfigDecoder.decodeYaml(Conformance.read(Conformance.dir().resolve(rel)))) {
        if (d instanceof Decoded.Invalid inv) {
          problems.add(rel + ": " + inv.messages());
        } else if (d instanceof Decoded.Ok o
            && o.config().kind().group().equals(IstioKinds.SECURITY_GROUP)) {
          ok.merge(o.config().kind(), 1, Integer::sum);
          ValidationReport r = NetworkingValidator.validate(o.config());
          if (!r.errors().isEmpty()) {
            problems.add(rel + ": " + r.errors());
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    System.out.println("security documents per kind: " + ok);
    assertThat(ok).containsKeys(IstioKind.PEER_AUTHENTICATION, IstioKind.AUTHORIZATION_POLICY);
    assertThat(ok.get(IstioKind.AUTHORIZATION_POLICY)).isGreaterThan(20);
  }

  @Test
  void everySecurityFieldSurvivesTheRoundTrip() throws IOException {
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    for (Path rel : Conformance.securityFiles()) {
      String text = Conformance.read(Conformance.dir().resolve(rel));
      try (MappingIterator<JsonNode> it =
          new YAMLMapper().readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null
              && doc.isObject()
              && IstioConfigDecoder.decode(doc) instanceof Decoded.Ok o
              && o.config().kind().group().equals(IstioKinds.SECURITY_GROUP)) {
            compared++;
            ConformanceDecodeTest.compare(
                rel + " " + o.config().what() + " spec",
                doc.path("spec"),
                IstioJson.toTree(o.config().spec()),
                diffs);
          }
        }
      }
    }
    assertThat(compared).isGreaterThan(25);
    assertThat(diffs).isEmpty();
  }
}
