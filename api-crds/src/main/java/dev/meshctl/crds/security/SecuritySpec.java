package dev.meshctl.crds.security;

import dev.meshctl.crds.IstioSpec;

/** The spec of one {@code security.istio.io} object. One record per kind; immutable. */
public sealed interface SecuritySpec extends IstioSpec
    permits PeerAuthentication, AuthorizationPolicy, RequestAuthentication {}
