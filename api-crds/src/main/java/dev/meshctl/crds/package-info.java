/**
 * Istio CRD types (networking.istio.io, security.istio.io), their schemas and validation. The
 * records arrive with the traffic-management issue (3); this module depends on nothing of ours.
 */
package dev.meshctl.crds;
