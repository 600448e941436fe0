package dev.meshctl.crds.decode;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.IstioSpec;
import java.util.Map;

/**
 * One decoded Istio ({@code networking.istio.io}, {@code security.istio.io}) object: identity, the
 * metadata the control plane uses, and the spec record. Immutable; {@code generation} and {@code
 * resourceVersion} may be null.
 */
public record IstioConfig(
    IstioKind kind,
    String apiVersion,
    String namespace,
    String name,
    Map<String, String> labels,
    Map<String, String> annotations,
    Long generation,
    String resourceVersion,
    IstioSpec spec) {

  public IstioConfig {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  /** {@code Kind namespace/name}, the prefix of every message about this object. */
  public String what() {
    return kind.kind() + " " + namespace + "/" + name;
  }

  /** This object with {@code spec} instead (a derived view, such as a default filled in). */
  public IstioConfig withSpec(IstioSpec spec) {
    return new IstioConfig(
        kind, apiVersion, namespace, name, labels, annotations, generation, resourceVersion, spec);
  }

  /** The spec as its record type; throws if the kind does not match. */
  public <T extends IstioSpec> T spec(Class<T> type) {
    return type.cast(spec);
  }
}
