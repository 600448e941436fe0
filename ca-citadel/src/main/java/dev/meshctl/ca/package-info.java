/**
 * Citadel: the CA, Istio's certificate API and SDS. Nothing here yet: issue 5 builds it. The module
 * exists so the layering (control-plane depends on it, it depends only on api-crds) is fixed from
 * the start.
 */
package dev.meshctl.ca;
