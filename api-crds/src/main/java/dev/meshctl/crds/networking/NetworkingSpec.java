package dev.meshctl.crds.networking;

/** The spec of one {@code networking.istio.io} object. One record per kind; immutable. */
public sealed interface NetworkingSpec extends dev.meshctl.crds.IstioSpec
    permits VirtualService,
        DestinationRule,
        Gateway,
        ServiceEntry,
        Sidecar,
        WorkloadEntry,
        WorkloadGroup,
        EnvoyFilter {}
