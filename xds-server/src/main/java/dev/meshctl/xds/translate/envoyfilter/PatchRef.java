package dev.meshctl.xds.translate.envoyfilter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.ApplyTo;
import dev.meshctl.crds.networking.EnvoyFilter.EnvoyConfigObjectPatch;
import dev.meshctl.crds.networking.EnvoyFilter.Operation;
import dev.meshctl.crds.networking.EnvoyFilter.PatchContext;
import dev.meshctl.xds.proxy.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One config patch of an EnvoyFilter that applies to a proxy, with where it came from for messages.
 *
 * @param source {@code namespace/name} of the EnvoyFilter
 * @param index the patch's index in {@code configPatches}
 * @param spec the patch
 */
record PatchRef(String source, int index, EnvoyConfigObjectPatch spec) {

  /** The part of the generated config an object belongs to (Istio's patch contexts). */
  enum Direction {
    SIDECAR_INBOUND,
    SIDECAR_OUTBOUND,
    GATEWAY
  }

  /** {@code EnvoyFilter ns/name configPatches[i]}, for messages. */
  String where() {
    return "EnvoyFilter " + source + " configPatches[" + index + "]";
  }

  ApplyTo applyTo() {
    return spec.applyTo();
  }

  Operation operation() {
    return spec.patch().operation();
  }

  JsonNode value() {
    return spec.patch().value();
  }

  /** Whether the patch's context admits objects of {@code d}. */
  boolean allows(Direction d) {
    PatchContext c = spec.match() == null ? null : spec.match().context();
    return c == null || c == PatchContext.ANY || c.name().equals(d.name());
  }

  /**
   * The patches of {@code filters} (in order) for objects of {@code kinds} that apply to {@code
   * proxy}: its Istio version matches the patch's {@code proxyVersion} regex (found anywhere in the
   * version, as Go's regexp does), and the patch sets no node {@code metadata} match (node metadata
   * is not kept, so such patches are not applied rather than applied too widely). Patches with no
   * operation or value (invalid) and waypoint patches are left out.
   */
  static List<PatchRef> of(List<IstioConfig> filters, Proxy proxy, Set<ApplyTo> kinds) {
    List<PatchRef> out = new ArrayList<>();
    for (IstioConfig c : filters) {
      List<EnvoyConfigObjectPatch> patches = c.spec(EnvoyFilter.class).configPatches();
      for (int i = 0; i < patches.size(); i++) {
        EnvoyConfigObjectPatch p = patches.get(i);
        if (p == null || !kinds.contains(p.applyTo()) || p.patch() == null) {
          continue;
        }
        Operation op = p.patch().operation();
        if (op == null
            || op == Operation.INVALID
            || (op != Operation.REMOVE && p.patch().value() == null)) {
          continue;
        }
        if (p.match() != null) {
          if (p.match().context() == PatchContext.WAYPOINT) {
            continue;
          }
          var pm = p.match().proxy();
          if (pm != null && pm.metadata() != null && !pm.metadata().isEmpty()) {
            continue;
          }
          if (pm != null
              && pm.proxyVersion() != null
              && !pm.proxyVersion().isEmpty()
              && !versionMatches(pm.proxyVersion(), proxy.istioVersion())) {
            continue;
          }
        }
        out.add(new PatchRef(c.namespace() + "/" + c.name(), i, p));
      }
    }
    return out;
  }

  private static boolean versionMatches(String regex, String version) {
    try {
      return Pattern.compile(regex).matcher(version).find();
    } catch (java.util.regex.PatternSyntaxException e) {
      return false; // validation refuses it; a filter that slipped through selects nothing
    }
  }
}
