package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Our CRDs against Istio's published ones ({@code crds/crd-all.gen.yaml} of the conformance data,
 * read at test time, never copied): same kinds, versions and storage version; every property path
 * of Istio's schema exists in ours and no other; the same type and enum at every path. Every other
 * difference in the keywords must be one of the documented kinds in {@link #why}, and is printed as
 * a report.
 */
class IstioCoverageTest {
  /** Paths we have and Istio has not, with the reason. None today. */
  private static final Map<String, String> EXTRA_PATHS = Map.of();

  /** Keywords compared separately (structure, type, enum) or not at all (prose). */
  private static final Set<String> NOT_COMPARED =
      Set.of("properties", "items", "additionalProperties", "type", "enum", "description");

  @Test
  void everyIstioPropertyPathIsOursAndNoOther() {
    Map<String, Map<String, JsonNode>> ours = CrdSchemas.ours();
    Map<String, Map<String, JsonNode>> istio = CrdSchemas.istio();
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> typeDiffs = new ArrayList<>();
    Map<String, Integer> report = new TreeMap<>();
    List<String> unexplained = new ArrayList<>();
    for (Map.Entry<String, Map<String, JsonNode>> kind : ours.entrySet()) {
      assertThat(istio.get(kind.getKey()).keySet())
          .as("served versions of %s", kind.getKey())
          .isEqualTo(kind.getValue().keySet());
      for (Map.Entry<String, JsonNode> version : kind.getValue().entrySet()) {
        String at = kind.getKey() + " " + version.getKey();
        Map<String, JsonNode> o = CrdSchemas.paths(version.getValue());
        Map<String, JsonNode> i = CrdSchemas.paths(istio.get(kind.getKey()).get(version.getKey()));
        for (String p : i.keySet()) {
          if (!o.containsKey(p)) {
            missing.add(at + " " + p);
          }
        }
        for (String p : o.keySet()) {
          if (!i.containsKey(p) && !EXTRA_PATHS.containsKey(kind.getKey() + " " + p)) {
            extra.add(at + " " + p);
          }
        }
        for (String p : new TreeSet<>(o.keySet())) {
          JsonNode a = o.get(p);
          JsonNode b = i.get(p);
          if (b == null) {
            continue;
          }
          if (!a.path("type").equals(b.path("type")) || !a.path("enum").equals(b.path("enum"))) {
            typeDiffs.add(at + " " + p + ": ours " + typeOf(a) + ", Istio " + typeOf(b));
          }
          for (String k : keywords(a, b)) {
            String why = why(k, a.get(k), b.get(k));
            if (why == null) {
              unexplained.add(
                  at + " " + p + " " + k + ": ours " + a.get(k) + ", Istio " + b.get(k));
            } else {
              report.merge(k + ": " + why, 1, Integer::sum);
            }
          }
        }
      }
    }
    System.out.println("Keyword differences from Istio's CRDs (count over all versions):");
    report.forEach((k, n) -> System.out.println("  " + n + " x " + k));
    assertThat(missing).isEmpty();
    assertThat(extra).isEmpty();
    assertThat(typeDiffs).isEmpty();
    assertThat(unexplained).isEmpty();
    // The report is not vacuous: the known differences are found.
    assertThat(report).containsKey("pattern: " + why("pattern", null, null));
  }

  @Test
  void storageVersionAndNamesMatchIstio() {
    Map<String, JsonNode> istio = new TreeMap<>();
    for (JsonNode crd :
        CrdSchemas.readYaml(
            dev.meshctl.crds.Conformance.read(
                dev.meshctl.crds.Conformance.dir().resolve("crds/crd-all.gen.yaml")))) {
      istio.put(crd.path("metadata").path("name").asText(), crd);
    }
    for (JsonNode ours : CrdGenerator.crds()) {
      String name = ours.path("metadata").path("name").asText();
      JsonNode theirs = istio.get(name);
      assertThat(theirs).as(name).isNotNull();
      assertThat(ours.path("spec").path("names"))
          .as(name)
          .isEqualTo(theirs.path("spec").path("names"));
      assertThat(ours.path("spec").path("scope")).isEqualTo(theirs.path("spec").path("scope"));
      assertThat(summary(ours)).as(name).isEqualTo(summary(theirs));
    }
  }

  /** Per version: name, served, storage, subresources, printer columns (name, type, jsonPath). */
  private static List<String> summary(JsonNode crd) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : crd.path("spec").path("versions")) {
      StringBuilder s = new StringBuilder(v.path("name").asText());
      s.append(" served=").append(v.path("served")).append(" storage=").append(v.path("storage"));
      s.append(" subresources=").append(v.path("subresources"));
      for (JsonNode c : v.path("additionalPrinterColumns")) {
        s.append(" ").append(c.path("name").asText()).append(':').append(c.path("type").asText());
        s.append(':').append(c.path("jsonPath").asText());
      }
      s.append(" required=").append(v.path("schema").path("openAPIV3Schema").path("required"));
      out.add(s.toString());
    }
    return out;
  }

  /**
   * Why a keyword may differ from Istio's, or null when the difference is not one we chose. Both
   * values may be null (absent).
   */
  static String why(String keyword, JsonNode ours, JsonNode istio) {
    boolean oursOnly = istio == null;
    boolean istioOnly = ours == null;
    return switch (keyword) {
      case "pattern" ->
          oursOnly
              ? "durations checked by Go's duration grammar as a pattern (Istio: CEL duration())"
              : istioOnly
                  ? "name syntax of targetRef group/kind and claim headers checked by the validator"
                  : null;
      case "x-kubernetes-validations" ->
          istioOnly
              ? "Istio's CEL rules (duration >= 1ms, ...) are checked by our validator"
              : null;
      case "format" ->
          oursOnly || istioOnly
              ? "integer width (int32/int64) stated; Istio's bytes format left to the validator"
              : null;
      case "minimum", "maximum" ->
          oursOnly
                  || istioOnly
                  || (ours.asLong() == Integer.MAX_VALUE && istio.asLong() == 4294967295L)
                  || (ours.asLong() == 0 && istio.asLong() == 1)
              ? "uint32 read as int32 (max 2147483647); ranges beyond sign checked by the validator"
              : null;
      case "required" ->
          istioOnly && istio.toString().contains("\"number\"")
              ? "Port is one record for Gateway, ServiceEntry and Sidecar, which require different"
                  + " fields of it; the validator checks number (and name for ServiceEntry)"
              : null;
      case "minItems", "maxItems", "maxLength", "maxProperties" ->
          istioOnly ? "Istio's size limits are not modelled in the records" : null;
      case "minLength", "minProperties" ->
          istioOnly
              ? "empty strings and maps refused by the validator, with the field's path"
              : null;
      case "nullable" ->
          istioOnly ? "wrapper (BoolValue, DoubleValue...) fields not marked nullable" : null;
      case "x-kubernetes-list-type", "x-kubernetes-list-map-keys" ->
          istioOnly ? "server-side-apply list merge keys not modelled" : null;
      case "oneOf" ->
          ours != null && istio != null && ours.size() == istio.size() - 1
              ? "directResponse.body {} is refused (exactly one of string/bytes), as by our decoder"
              : istioOnly && istio.size() == 2
                  ? "a oneof of one member (AuthorizationPolicy provider) always holds"
                  : null;
      default -> null;
    };
  }

  private static Set<String> keywords(JsonNode a, JsonNode b) {
    Set<String> out = new TreeSet<>();
    for (JsonNode n : List.of(a, b)) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!NOT_COMPARED.contains(k) && !a.path(k).equals(b.path(k))) {
          out.add(k);
        }
      }
    }
    return out;
  }

  private static String typeOf(JsonNode n) {
    return n.path("type").asText("<none>") + (n.has("enum") ? " " + n.get("enum") : "");
  }
}
