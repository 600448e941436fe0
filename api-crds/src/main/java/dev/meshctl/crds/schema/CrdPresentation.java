package dev.meshctl.crds.schema;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.IstioKinds;
import java.util.List;

/**
 * How each kind's CRD presents itself to kubectl, as Istio's CRDs do: printer columns ({@code
 * kubectl get} output), categories ({@code kubectl get istio-io}) and whether {@code spec} is
 * required. The values follow Istio's published CRDs; descriptions are ours. Stateless; any thread.
 */
public final class CrdPresentation {
  /** {@code kubectl get} categories of every networking kind. */
  public static final List<String> CATEGORIES = List.of("istio-io", "networking-istio-io");

  /** {@code kubectl get} categories of every security kind. */
  public static final List<String> SECURITY_CATEGORIES = List.of("istio-io", "security-istio-io");

  private static final Column AGE =
      new Column("Age", "date", ".metadata.creationTimestamp", "Time since the object was created");

  private CrdPresentation() {}

  /** One {@code additionalPrinterColumns} entry. */
  public record Column(String name, String type, String jsonPath, String description) {}

  /** The printer columns of {@code kind}, in display order. */
  public static List<Column> columns(IstioKind kind) {
    return switch (kind) {
      case VIRTUAL_SERVICE ->
          List.of(
              new Column("Gateways", "string", ".spec.gateways", "Gateways the routes apply to"),
              new Column("Hosts", "string", ".spec.hosts", "Hosts the routes apply to"),
              AGE);
      case DESTINATION_RULE ->
          List.of(new Column("Host", "string", ".spec.host", "Host the policies apply to"), AGE);
      case SERVICE_ENTRY ->
          List.of(
              new Column("Hosts", "string", ".spec.hosts", "Hosts of the service"),
              new Column("Location", "string", ".spec.location", "Inside or outside the mesh"),
              new Column("Resolution", "string", ".spec.resolution", "How endpoints are found"),
              AGE);
      case WORKLOAD_ENTRY ->
          List.of(AGE, new Column("Address", "string", ".spec.address", "Workload address"));
      case WORKLOAD_GROUP -> List.of(AGE);
      case PEER_AUTHENTICATION ->
          List.of(
              new Column("Mode", "string", ".spec.mtls.mode", "The mutual TLS mode of the policy"),
              AGE);
      case AUTHORIZATION_POLICY ->
          List.of(
              new Column("Action", "string", ".spec.action", "What matching requests get"), AGE);
      case GATEWAY, SIDECAR, REQUEST_AUTHENTICATION, ENVOY_FILTER -> List.of();
    };
  }

  /** The {@code kubectl get} categories of {@code kind}: {@code istio-io} and its group's. */
  public static List<String> categories(IstioKind kind) {
    return kind.group().equals(IstioKinds.SECURITY_GROUP) ? SECURITY_CATEGORIES : CATEGORIES;
  }

  /** Whether the schema requires {@code spec} (Istio requires it for these kinds only). */
  public static boolean specRequired(IstioKind kind) {
    return kind == IstioKind.SERVICE_ENTRY
        || kind == IstioKind.WORKLOAD_ENTRY
        || kind == IstioKind.WORKLOAD_GROUP;
  }
}
