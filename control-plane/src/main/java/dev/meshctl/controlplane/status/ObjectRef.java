package dev.meshctl.controlplane.status;

import dev.meshctl.crds.IstioKind;
import java.util.Objects;

/**
 * Which Istio config object a status is for: enough to address its {@code status} subresource
 * without API discovery. Immutable.
 *
 * @param group the API group, e.g. {@code networking.istio.io}
 * @param version a served version to write through, e.g. {@code v1}
 * @param kind the kind, e.g. {@code VirtualService}
 * @param plural the resource, e.g. {@code virtualservices}
 * @param namespace the object's namespace
 * @param name the object's name
 */
public record ObjectRef(
    String group, String version, String kind, String plural, String namespace, String name) {
  public ObjectRef {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /**
   * An object of any Istio kind ({@code networking.istio.io} or {@code security.istio.io}: the
   * group is the kind's), written through the kind's storage version ({@code v1}, served by every
   * CRD of the chart).
   */
  public static ObjectRef of(IstioKind kind, String namespace, String name) {
    return new ObjectRef(
        kind.group(), kind.versions().get(0), kind.kind(), kind.plural(), namespace, name);
  }

  /** {@code VirtualService default/reviews}, as findings name resources. */
  @Override
  public String toString() {
    return kind + " " + namespace + "/" + name;
  }
}
