package dev.meshctl.controlplane.store;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.Namespace;
import dev.meshctl.xds.model.Node;
import dev.meshctl.xds.model.RevisionTag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What part of the store the mesh sees: mesh config {@code discoverySelectors} and the control
 * plane's revision applied to a consistent copy of the store's objects. Pure and deterministic: the
 * same objects and revision give the same list, in the same order. Applied to the whole store on
 * every push, so a namespace label change or a mesh config change re-scopes at once, without a
 * re-list.
 *
 * <ul>
 *   <li><b>Discovery selectors</b> (from the stored {@link MeshConfig}, else none): a namespaced
 *       object is visible when its namespace is selected by any selector. A namespace with no
 *       {@link Namespace} object (a file-only setup, or a namespace not yet seen) is visible: only
 *       namespaces known not to match are cut. Cluster-scoped objects (Namespace, Node, the mesh
 *       config) are always visible.
 *   <li><b>Revision</b> (Istio's {@code LabelsInRevision}): an Istio config object labelled {@value
 *       #REVISION_LABEL} is visible only when the control plane runs with that revision, with a
 *       revision a {@link RevisionTag} points at it ({@code istio.io/rev=prod} is ours when tag
 *       {@code prod} points at our revision), or with none ({@code ""}); objects without the label
 *       are visible to every revision.
 * </ul>
 *
 * <p>Stateless; any thread.
 */
public final class DiscoveryFilter {
  /** The label naming the control plane revision an object belongs to. */
  public static final String REVISION_LABEL = "istio.io/rev";

  private DiscoveryFilter() {}

  /** The objects the mesh sees, in their original order. */
  public static List<ConfigObject> visible(Collection<ConfigObject> objects, String revision) {
    MeshConfig mesh = MeshConfig.DEFAULT;
    Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    Set<String> revisions = new HashSet<>();
    revisions.add(revision);
    for (ConfigObject o : objects) {
      if (o instanceof MeshConfig m) {
        mesh = m;
      } else if (o instanceof Namespace ns) {
        namespaceLabels.put(ns.name(), ns.labels());
      } else if (o instanceof RevisionTag tag && tag.revision().equals(revision)) {
        revisions.add(tag.tag());
      }
    }
    if (mesh.discoverySelectors().isEmpty() && revision.isEmpty()) {
      return List.copyOf(objects);
    }
    Map<String, Boolean> selected = new HashMap<>();
    List<ConfigObject> out = new ArrayList<>(objects.size());
    for (ConfigObject o : objects) {
      if (o instanceof MeshConfig
          || o instanceof Namespace
          || o instanceof Node
          || o instanceof RevisionTag) {
        out.add(o);
        continue;
      }
      String ns = o.key().id().namespace();
      MeshConfig m = mesh;
      boolean inScope =
          selected.computeIfAbsent(
              ns,
              n -> {
                Map<String, String> labels = namespaceLabels.get(n);
                return labels == null || m.selectsNamespace(labels);
              });
      if (inScope && inRevision(o, revision, revisions)) {
        out.add(o);
      }
    }
    return out;
  }

  /**
   * True when every key names an object in a namespace the mesh config's discovery selectors
   * exclude now, as {@code lookup} (the store) tells: such a change alters nothing the mesh sees
   * before or after it, so it needs no push at all. Namespace, Node and mesh config changes
   * re-scope the mesh and are never out of scope; a namespace with no Namespace object is in scope,
   * as in {@link #visible}. Pure given {@code lookup}; any thread.
   */
  public static boolean outOfScope(
      Collection<ConfigKey> keys, Function<ConfigKey, Optional<ConfigObject>> lookup) {
    if (keys.isEmpty()) {
      return false;
    }
    MeshConfig mesh =
        lookup.apply(MeshConfig.KEY).map(MeshConfig.class::cast).orElse(MeshConfig.DEFAULT);
    if (mesh.discoverySelectors().isEmpty()) {
      return false;
    }
    for (ConfigKey key : keys) {
      if (key.kind() == ConfigKind.NAMESPACE
          || key.kind() == ConfigKind.NODE
          || key.kind() == ConfigKind.MESH_CONFIG) {
        return false;
      }
      Optional<ConfigObject> ns =
          lookup.apply(ConfigKey.of(ConfigKind.NAMESPACE, "", key.id().namespace()));
      if (ns.isEmpty() || mesh.selectsNamespace(((Namespace) ns.get()).labels())) {
        return false;
      }
    }
    return true;
  }

  private static boolean inRevision(ConfigObject o, String revision, Set<String> revisions) {
    if (revision.isEmpty() || !(o instanceof IstioObject istio)) {
      return true;
    }
    String rev = istio.config().labels().get(REVISION_LABEL);
    return rev == null || revisions.contains(rev);
  }
}
