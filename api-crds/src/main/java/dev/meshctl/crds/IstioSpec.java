package dev.meshctl.crds;

/**
 * The spec record of any Istio object we model, of any API group: {@link
 * dev.meshctl.crds.networking.NetworkingSpec} or {@link dev.meshctl.crds.security.SecuritySpec}.
 * Not sealed because its two sub-interfaces live in other packages (the module is unnamed); those
 * are sealed, so the set of spec records stays closed. Implementations are immutable.
 */
public interface IstioSpec {}
