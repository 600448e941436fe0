package dev.meshctl.crds.networking;

import dev.meshctl.crds.Required;
import dev.meshctl.crds.networking.Common.Port;
import dev.meshctl.crds.networking.Common.WorkloadSelector;
import java.util.List;

/**
 * The spec of a {@code networking.istio.io} ServiceEntry. Immutable; {@code null} means absent;
 * decoded lists are never {@code null}.
 */
public record ServiceEntry(
    @Required List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEntry> endpoints,
    WorkloadSelector workloadSelector,
    List<String> exportTo,
    List<String> subjectAltNames)
    implements NetworkingSpec {

  /** Whether the service is part of the mesh. */
  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  /** How endpoints are found. */
  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN,
    DYNAMIC_DNS
  }
}
