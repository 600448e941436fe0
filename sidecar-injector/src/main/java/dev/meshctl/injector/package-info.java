/**
 * Sidecar injection: the mutating webhook and its template. Nothing here yet: issue 6 builds it.
 * The module exists so the layering (control-plane depends on it, it depends only on api-crds) is
 * fixed from the start.
 */
package dev.meshctl.injector;
