package dev.meshctl.xds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.model.decode.MeshConfigDecoder;
import dev.meshctl.xds.model.decode.YamlDocuments;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * A test mesh read from a directory: {@code input.yaml} (Kubernetes objects), {@code proxy.yaml}
 * (the proxy's node id and metadata), an optional {@code mesh.yaml} (MeshConfig overrides) and an
 * optional {@code includes.txt} (more input files from the conformance data); security.istio.io
 * documents (PeerAuthentication) are decoded like every other kind. Any invalid input fails loudly,
 * so a typo in a fixture cannot silently shrink the mesh.
 */
public record MeshFixture(MeshSnapshot snapshot, Proxy proxy) {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  public static MeshFixture load(Path dir) {
    try {
      CaseInput input = caseInput(dir);
      return new MeshFixture(
          MeshSnapshot.build(input.mesh(), input.objects()),
          proxy(Files.readString(dir.resolve("proxy.yaml"))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A case's decoded input before indexing, for tests that mutate it.
   *
   * @param mesh the case's mesh config
   * @param objects its objects, input.yaml first, then the includes in order
   */
  public record CaseInput(MeshConfig mesh, List<ConfigObject> objects) {
    public CaseInput {
      objects = List.copyOf(objects);
    }
  }

  /** The decoded input of a case directory (see {@link #load}). */
  public static CaseInput caseInput(Path dir) {
    try {
      MeshConfig mesh = mesh(dir.resolve("mesh.yaml"));
      String input = Files.readString(dir.resolve("input.yaml"));
      List<ConfigObject> objects = new ArrayList<>(objects(input, dir.getFileName().toString()));
      for (Path include : includes(dir)) {
        objects.addAll(objects(Files.readString(include), include.toString()));
      }
      return new CaseInput(mesh, objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The files named by the case's optional {@code includes.txt}: one path per line relative to the
   * conformance directory (system property {@code conformance.dir}), so cases use Istio's own
   * samples unmodified without copying them. Blank lines and {@code #} comments are ignored. Skips
   * the calling test when the conformance directory is missing.
   */
  static List<Path> includes(Path dir) throws IOException {
    Path list = dir.resolve("includes.txt");
    if (!Files.exists(list)) {
      return List.of();
    }
    Path root = Path.of(System.getProperty("conformance.dir", "../../shared/conformance"));
    Assumptions.assumeTrue(
        Files.isDirectory(root), "conformance data missing at " + root.toAbsolutePath());
    List<Path> out = new ArrayList<>();
    for (String line : Files.readAllLines(list)) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        out.add(root.resolve(l));
      }
    }
    return out;
  }

  /** Decodes every document; throws listing every problem if any object is invalid. */
  public static List<ConfigObject> objects(String yaml, String what) {
    Input in = decode(yaml);
    if (!in.errors().isEmpty()) {
      throw new IllegalArgumentException(
          what + ": invalid input:\n" + String.join("\n", in.errors()));
    }
    return in.objects();
  }

  /**
   * What a YAML text decodes to through the real decoder: the usable objects, every error ({@code
   * Kind ns/name: field: message}, or {@code document i: ...} for unparsable YAML) and every
   * skipped document ({@code Kind ns/name: reason}), each list in document order.
   */
  public record Input(List<ConfigObject> objects, List<String> errors, List<String> skipped) {
    public Input {
      objects = List.copyOf(objects);
      errors = List.copyOf(errors);
      skipped = List.copyOf(skipped);
    }
  }

  /** Decodes every document of {@code yaml}, keeping errors and skipped kinds apart. */
  public static Input decode(String yaml) {
    List<ConfigObject> out = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (YamlDocuments.Document doc : YamlDocuments.parse(yaml)) {
      if (!doc.ok()) {
        errors.add("document " + doc.index() + ": " + doc.error());
        continue;
      }
      for (Decoded d : KubeDecoder.decode(doc.node())) {
        if (d instanceof Decoded.Ok ok) {
          out.add(ok.object());
        } else if (d instanceof Decoded.Invalid bad) {
          errors.addAll(bad.messages());
        } else if (d instanceof Decoded.Skipped s) {
          skipped.add(s.what() + ": " + s.reason());
        }
      }
    }
    return new Input(out, errors, skipped);
  }

  /**
   * The snapshot of {@code yaml} (decoded strictly, see {@link #objects}) with default settings.
   */
  public static MeshSnapshot snapshot(String yaml) {
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects(yaml, "test"));
  }

  /** What the real generators (sidecar and proxyless) serve {@code proxy} from {@code snapshot}. */
  public static java.util.SortedMap<String, com.google.protobuf.Message> generate(
      MeshSnapshot snapshot,
      Proxy proxy,
      dev.meshctl.xds.translate.XdsType type,
      dev.meshctl.xds.translate.Subscription subscription) {
    return new dev.meshctl.xds.translate.MeshGenerator(
            new dev.meshctl.xds.translate.sidecar.SidecarGenerator(),
            new dev.meshctl.xds.translate.grpc.GrpcGenerator())
        .generate(
            new dev.meshctl.xds.translate.TranslationContext(snapshot), proxy, type, subscription);
  }

  /** The proxy of a {@code proxy.yaml}: {@code id} and {@code metadata} of the xDS Node. */
  public static Proxy proxy(String yaml) {
    try {
      JsonNode root = YAML.readTree(yaml);
      Node.Builder node = Node.newBuilder().setId(root.path("id").asText());
      JsonNode md = root.get("metadata");
      if (md != null) {
        Struct.Builder s = Struct.newBuilder();
        JsonFormat.parser().merge(JSON.writeValueAsString(md), s);
        node.setMetadata(s);
      }
      JsonNode locality = root.get("locality");
      if (locality != null) {
        io.envoyproxy.envoy.config.core.v3.Locality.Builder l =
            io.envoyproxy.envoy.config.core.v3.Locality.newBuilder();
        JsonFormat.parser().merge(JSON.writeValueAsString(locality), l);
        node.setLocality(l);
      }
      return ProxyParser.parse(node.build());
    } catch (Exception e) {
      throw new IllegalArgumentException("invalid proxy.yaml: " + e.getMessage(), e);
    }
  }

  /**
   * MeshConfig defaults with the overrides we support in fixtures: {@code outboundTrafficPolicy} as
   * {@code REGISTRY_ONLY} or Istio's {@code {mode: REGISTRY_ONLY}}, {@code rootNamespace} and
   * {@code enableAutoMtls}.
   */
  public static MeshConfig mesh(Path file) throws IOException {
    MeshConfig d = MeshConfig.DEFAULT;
    if (!Files.exists(file)) {
      return d;
    }
    JsonNode root = YAML.readTree(Files.readString(file));
    if (root == null) {
      return d;
    }
    JsonNode policy = root.get("outboundTrafficPolicy");
    MeshConfig.OutboundTrafficPolicy outbound = d.outboundTrafficPolicy();
    if (policy != null) {
      String mode = policy.isObject() ? policy.path("mode").asText() : policy.asText();
      outbound = MeshConfig.OutboundTrafficPolicy.valueOf(mode.toUpperCase(Locale.ROOT));
    }
    JsonNode autoMtls = root.get("enableAutoMtls");
    MeshConfig base =
        new MeshConfig(
            d.trustDomain(),
            d.domainSuffix(),
            root.path("rootNamespace").asText(d.rootNamespace()),
            outbound,
            d.connectTimeout(),
            autoMtls == null ? d.enableAutoMtls() : autoMtls.asBoolean());
    JsonNode locality = root.get("localityLbSetting");
    if (locality == null) {
      return base;
    }
    // Read by the product's own decoder, so fixtures cannot accept what serve would refuse.
    MeshConfigDecoder.Result decoded =
        MeshConfigDecoder.decode(YAML.createObjectNode().set("localityLbSetting", locality));
    if (!decoded.errors().isEmpty()) {
      throw new IllegalArgumentException("invalid mesh.yaml: " + decoded.errors());
    }
    return new MeshConfig(
        base.trustDomain(),
        base.domainSuffix(),
        base.rootNamespace(),
        base.outboundTrafficPolicy(),
        base.connectTimeout(),
        base.enableAutoMtls(),
        base.discoverySelectors(),
        base.ingressControllerMode(),
        base.ingressClass(),
        base.discoveryAddress(),
        decoded.config().orElseThrow().localityLbSetting(),
        base.defaults());
  }
}
