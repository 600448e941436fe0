package dev.meshctl.crds.networking;

import dev.meshctl.crds.Unsigned;
import java.util.Map;

/**
 * A non-Kubernetes workload: the spec of a WorkloadEntry, and a ServiceEntry endpoint. Immutable;
 * {@code null} means absent; decoded maps are never {@code null}.
 */
public record WorkloadEntry(
    String address,
    Map<String, Integer> ports,
    Map<String, String> labels,
    String network,
    String locality,
    @Unsigned Integer weight,
    String serviceAccount)
    implements NetworkingSpec {}
