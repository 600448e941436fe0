package dev.meshctl.crds;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Registry of the Istio kinds this module models: group, served versions, names. The three versions
 * share one schema, so one record type serves all. Stateless; any thread.
 */
public final class IstioKinds {
  /** The networking API group. */
  public static final String NETWORKING_GROUP = "networking.istio.io";

  /** Served versions, storage version first ({@code v1}). */
  public static final List<String> VERSIONS = List.of("v1", "v1beta1", "v1alpha3");

  private IstioKinds() {}

  /** Every modelled kind. */
  public static List<IstioKind> all() {
    return List.of(IstioKind.values());
  }

  /** The kind with this Kubernetes kind name ({@code VirtualService}). */
  public static Optional<IstioKind> byKind(String kind) {
    return Arrays.stream(IstioKind.values()).filter(k -> k.kind().equals(kind)).findFirst();
  }

  /** The kind with this plural, singular or short name ({@code virtualservices}, {@code vs}). */
  public static Optional<IstioKind> byResourceName(String name) {
    return Arrays.stream(IstioKind.values())
        .filter(
            k ->
                k.plural().equals(name)
                    || k.singular().equals(name)
                    || k.shortNames().contains(name))
        .findFirst();
  }

  /** Whether {@code apiVersion} is {@code networking.istio.io/<served version>}. */
  public static boolean isServedApiVersion(String apiVersion) {
    return VERSIONS.stream().anyMatch(v -> (NETWORKING_GROUP + "/" + v).equals(apiVersion));
  }
}
