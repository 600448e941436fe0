package dev.meshctl.crds.security;

import dev.meshctl.crds.Required;

/**
 * A resource a policy attaches to instead of a workload selector ({@code
 * type.v1beta1.PolicyTargetReference}), e.g. a Gateway API {@code Gateway} or a {@code Service}.
 * Immutable; {@code null} means absent. Istio forbids a namespace other than the policy's own.
 */
public record PolicyTargetReference(
    String group, @Required String kind, @Required String name, String namespace) {}
