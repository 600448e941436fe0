package dev.meshctl.xds.model;

/**
 * An input object of the mesh model, as applied by a source (the file source, later the Kubernetes
 * informers, the mesh config). Every variant is an immutable record; {@link #key()} identifies it
 * within a store.
 */
public sealed interface ConfigObject
    permits Service,
        EndpointSlice,
        Pod,
        IstioObject,
        Secret,
        Namespace,
        Node,
        MeshConfig,
        RevisionTag {

  /** The object's kind, namespace and name. */
  ConfigKey key();

  default NamespacedName id() {
    return key().id();
  }
}
