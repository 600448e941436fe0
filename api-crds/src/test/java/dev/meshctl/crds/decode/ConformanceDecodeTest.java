package dev.meshctl.crds.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshctl.crds.Conformance;
import dev.meshctl.crds.IstioDuration;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.crds.validation.ValidationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Istio networking document in the conformance data decodes and validates the way Istio would
 * take it, and survives a round trip through our records with nothing dropped.
 */
class ConformanceDecodeTest {
  /**
   * Documents Istio itself rejects when decoding strictly ({@code istioctl validate}, kubectl with
   * strict field validation); istiod's file loader and the API server's pruning drop the field
   * silently instead. {@code websocketUpgrade} was removed from HTTPRoute in Istio 1.0.
   */
  private static final Map<String, List<String>> EXPECTED_ERRORS =
      Map.of(
          "config/tests/testdata/config/rule-websocket-route.yaml",
          List.of(
              "VirtualService testns/websocket-route: spec.http[0].websocketUpgrade: unknown field",
              "VirtualService testns/websocket-route2: spec.http[0].websocketUpgrade: unknown field"));

  @Test
  void everyDocumentDecodesAndValidatesAsIstioWould() {
    List<Path> files = Conformance.networkingFiles();
    assertThat(files).hasSizeGreaterThan(50);
    int ok = 0;
    List<String> unexpected = new ArrayList<>();
    for (Path rel : files) {
      List<String> errors = new ArrayList<>();
      for (Decoded d :
          IstioConfigDecoder.decodeYaml(Conformance.read(Conformance.dir().resolve(rel)))) {
        if (d instanceof Decoded.Invalid inv) {
          errors.addAll(inv.messages());
        } else if (d instanceof Decoded.Ok o) {
          ok++;
          ValidationReport r = NetworkingValidator.validate(o.config());
          errors.addAll(r.errors());
        }
      }
      List<String> expected = EXPECTED_ERRORS.getOrDefault(rel.toString(), List.of());
      if (!errors.equals(expected)) {
        unexpected.add(rel + ": " + errors);
      }
    }
    assertThat(unexpected).isEmpty();
    assertThat(ok).isGreaterThan(130);
  }

  @Test
  void everyFieldSurvivesTheRoundTrip() throws IOException {
    List<String> diffs = new ArrayList<>();
    int compared = 0;
    for (Path rel : Conformance.networkingFiles()) {
      String text = Conformance.read(Conformance.dir().resolve(rel));
      List<JsonNode> docs = new ArrayList<>();
      try (MappingIterator<JsonNode> it =
          new YAMLMapper().readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNext()) {
          JsonNode n = it.next();
          if (n != null && n.isObject()) {
            docs.add(n);
          }
        }
      }
      for (JsonNode doc : docs) {
        if (IstioConfigDecoder.decode(doc) instanceof Decoded.Ok o) {
          compared++;
          compare(
              rel + " " + o.config().what() + " spec",
              doc.path("spec"),
              IstioJson.toTree(o.config().spec()),
              diffs);
        }
      }
    }
    assertThat(compared).isGreaterThan(130);
    assertThat(diffs).isEmpty();
  }

  @Test
  void roundTripComparisonCanFail() {
    List<String> diffs = new ArrayList<>();
    JsonNode in = new YAMLMapper().createObjectNode().put("host", "a").put("dropped", 1);
    compare("x", in, new YAMLMapper().createObjectNode().put("host", "a"), diffs);
    assertThat(diffs).containsExactly("x.dropped: input 1, output missing");
  }

  /** Equal modulo defaults: absent == null/[]/{}; numbers by value; durations by value. */
  static void compare(String path, JsonNode in, JsonNode out, List<String> diffs) {
    if (in.isObject() && out.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode o = out.get(e.getKey());
        String p = path + "." + e.getKey();
        if (o == null) {
          JsonNode v = e.getValue();
          if (!v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
            diffs.add(p + ": input " + v + ", output missing");
          }
        } else {
          compare(p, e.getValue(), o, diffs);
        }
      }
      for (Iterator<String> it = out.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!in.has(k)) {
          diffs.add(path + "." + k + ": not in input, output " + out.get(k));
        }
      }
    } else if (in.isArray() && out.isArray() && in.size() == out.size()) {
      for (int i = 0; i < in.size(); i++) {
        compare(path + "[" + i + "]", in.get(i), out.get(i), diffs);
      }
    } else if (in.isNumber() && out.isNumber()) {
      if (in.decimalValue().compareTo(out.decimalValue()) != 0) {
        diffs.add(path + ": input " + in + ", output " + out);
      }
    } else if (in.isTextual() && out.isTextual() && !in.equals(out)) {
      var a = IstioDuration.parse(in.textValue()).value();
      var b = IstioDuration.parse(out.textValue()).value();
      if (a.isEmpty() || !a.equals(b)) {
        diffs.add(path + ": input " + in + ", output " + out);
      }
    } else if (!in.equals(out)) {
      diffs.add(path + ": input " + in + ", output " + out);
    }
  }
}
