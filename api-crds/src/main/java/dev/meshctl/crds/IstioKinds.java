package dev.meshctl.crds;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Registry of the Istio kinds this module models: groups, served versions, names. All versions of a
 * kind share one schema, so one record type serves all. Stateless; any thread.
 */
public final class IstioKinds {
  /** The networking API group. */
  public static final String NETWORKING_GROUP = "networking.istio.io";

  /** The security API group. */
  public static final String SECURITY_GROUP = "security.istio.io";

  /** Served versions of networking kinds, storage version first ({@code v1}). */
  public static final List<String> VERSIONS = List.of("v1", "v1beta1", "v1alpha3");

  /** Served versions of security kinds, storage version first ({@code v1}). */
  public static final List<String> SECURITY_VERSIONS = List.of("v1", "v1beta1");

  /** EnvoyFilter is served only as {@code v1alpha3}, as in Istio. */
  public static final List<String> ENVOY_FILTER_VERSIONS = List.of("v1alpha3");

  /** Every group we model. */
  public static final List<String> GROUPS = List.of(NETWORKING_GROUP, SECURITY_GROUP);

  private IstioKinds() {}

  /** Every modelled kind. */
  public static List<IstioKind> all() {
    return List.of(IstioKind.values());
  }

  /** The kind with this Kubernetes kind name ({@code VirtualService}), in any group. */
  public static Optional<IstioKind> byKind(String kind) {
    return Arrays.stream(IstioKind.values()).filter(k -> k.kind().equals(kind)).findFirst();
  }

  /** The kind with this group and Kubernetes kind name. */
  public static Optional<IstioKind> byGroupKind(String group, String kind) {
    return Arrays.stream(IstioKind.values())
        .filter(k -> k.group().equals(group) && k.kind().equals(kind))
        .findFirst();
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

  /** Whether {@code group} is an Istio API group we model. */
  public static boolean isModelledGroup(String group) {
    return GROUPS.contains(group);
  }

  /** Whether {@code apiVersion} is {@code networking.istio.io/<served version>}. */
  public static boolean isServedApiVersion(String apiVersion) {
    return VERSIONS.stream().anyMatch(v -> (NETWORKING_GROUP + "/" + v).equals(apiVersion));
  }

  /** Whether {@code apiVersion} is {@code <kind's group>/<a version served for kind>}. */
  public static boolean isServedApiVersion(IstioKind kind, String apiVersion) {
    return kind.versions().stream().anyMatch(v -> (kind.group() + "/" + v).equals(apiVersion));
  }
}
