package dev.meshctl.controlplane.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.IstioKinds;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.decode.IstioConfigDecoder;
import dev.meshctl.crds.validation.Finding;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.model.decode.YamlDocuments;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The offline analyzer behind {@code meshctl analyze}: parses every document of every input,
 * decodes and validates it (Kubernetes kinds with {@link KubeDecoder}, {@code networking.istio.io}
 * kinds with {@link IstioConfigDecoder} and {@link NetworkingValidator}), then checks the
 * references between the objects ({@link ReferenceChecks}). Pure: no IO, no clock; the same inputs
 * give the same report. Stateless; any thread.
 */
public final class Analyzer {
  private Analyzer() {}

  /** Analyzes {@code inputs} together, as one mesh. */
  public static AnalysisReport analyze(List<AnalysisInput> inputs) {
    Run run = new Run();
    // In file order, so that "first declaration wins" means what it means for serve: the
    // lexicographically first file wins.
    // A file named twice (a directory and a file in it) is analyzed once.
    Map<String, AnalysisInput> byFile = new TreeMap<>();
    inputs.forEach(i -> byFile.putIfAbsent(i.file(), i));
    for (AnalysisInput input : byFile.values()) {
      if (input.text() == null) {
        run.out.add(
            new Diagnostic(
                input.file(),
                -1,
                Diagnostic.Severity.ERROR,
                null,
                "cannot be read: " + input.unreadable()));
        continue;
      }
      for (YamlDocuments.Document doc : YamlDocuments.parse(input.text())) {
        if (doc.ok()) {
          run.document(input.file(), doc.index(), doc.node());
        } else {
          // Parser messages echo the offending lines; a finding is one line.
          run.out.add(
              Diagnostic.error(
                  input.file(),
                  doc.index(),
                  "document",
                  doc.error().strip().replaceAll("\\s*\\R\\s*", " ")));
        }
      }
    }
    boolean hostsChecked = ReferenceChecks.run(run.catalog, run.out);
    SecurityChecks.run(run.catalog, run.out);
    GatewayConflicts.run(run.catalog, run.out);
    List<Diagnostic> sorted = new ArrayList<>(run.out);
    sorted.sort(Diagnostic.ORDER); // stable: one document's findings keep their order
    return new AnalysisReport(sorted, byFile.size(), hostsChecked);
  }

  /** The mutable state of one analysis. Confined to the calling thread. */
  private static final class Run {
    final List<Diagnostic> out = new ArrayList<>();
    final Catalog catalog = new Catalog();

    /** {@code Kind ns/name} to {@code file:doc} of its first declaration. */
    final Map<String, Location> declared = new HashMap<>();

    void document(String file, int index, JsonNode node) {
      JsonNode items = node.isObject() ? node.get("items") : null;
      if (node.path("kind").asText("").endsWith("List") && items != null && items.isArray()) {
        for (JsonNode item : items) {
          document(file, index, item);
        }
        return;
      }
      String apiVersion = node.path("apiVersion").asText("");
      int slash = apiVersion.indexOf('/');
      if (slash > 0 && IstioKinds.isModelledGroup(apiVersion.substring(0, slash))) {
        istio(file, index, node);
      } else {
        kube(file, index, node);
      }
    }

    private void istio(String file, int index, JsonNode node) {
      dev.meshctl.crds.decode.Decoded decoded = IstioConfigDecoder.decode(node);
      if (decoded instanceof dev.meshctl.crds.decode.Decoded.Invalid invalid) {
        invalid.errors().forEach(e -> out.add(Diagnostic.error(file, index, invalid.what(), e)));
      } else if (decoded instanceof dev.meshctl.crds.decode.Decoded.Ok ok) {
        IstioConfig config = ok.config();
        for (Finding f : dev.meshctl.xds.validate.IstioValidation.validate(config).findings()) {
          String detail = f.path() + ": " + f.message();
          out.add(
              f.severity() == Finding.Severity.ERROR
                  ? Diagnostic.error(file, index, f.resource(), detail)
                  : Diagnostic.warning(file, index, f.resource(), detail));
        }
        // Kept for reference checks even with validation errors: those are reported already,
        // and dropping the object would turn every reference to it into a second finding.
        if (firstDeclaration(file, index, config.what())) {
          catalog.addIstio(new Catalog.Located<>(file, index, config));
        }
      }
      // Skipped: a networking kind we do not model (ProxyConfig); not a problem.
    }

    private void kube(String file, int index, JsonNode node) {
      if (node.path("kind").asText("").equals("Service")) {
        JsonNode md = node.path("metadata");
        String name = md.path("name").asText("");
        String ns = md.path("namespace").asText("");
        if (!name.isEmpty()) {
          catalog.addServiceHost(
              Hosts.serviceHost(name, ns.isEmpty() ? KubeDecoder.DEFAULT_NAMESPACE : ns));
        }
      }
      for (Decoded d : KubeDecoder.decode(node)) {
        if (d instanceof Decoded.Invalid invalid) {
          invalid.errors().forEach(e -> out.add(Diagnostic.error(file, index, invalid.what(), e)));
        } else if (d instanceof Decoded.Ok ok) {
          ConfigObject o = ok.object();
          if (firstDeclaration(file, index, o.key().toString()) && o instanceof Service s) {
            catalog.addService(new Catalog.Located<>(file, index, s));
          }
        }
        // Skipped: a kind the mesh does not use (a Deployment); not a problem.
      }
    }

    /**
     * Records a declaration; a repeat is reported the way {@code serve} treats it: an error within
     * one file, a warning across files (the lexicographically first file wins there).
     */
    private boolean firstDeclaration(String file, int index, String what) {
      Location here = new Location(file, index);
      Location first = declared.putIfAbsent(what, here);
      if (first == null) {
        return true;
      }
      String detail = "is declared again; the declaration at " + first + " is used";
      if (Objects.equals(first.file(), file)) {
        out.add(Diagnostic.error(file, index, what, detail));
      } else {
        out.add(Diagnostic.warning(file, index, what, detail));
      }
      return false;
    }
  }

  private record Location(String file, int document) {
    @Override
    public String toString() {
      return file + ":" + document;
    }
  }
}
