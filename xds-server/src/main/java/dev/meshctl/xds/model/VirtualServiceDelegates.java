package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.StringMatch;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.VirtualService.Delegate;
import dev.meshctl.crds.networking.VirtualService.HttpMatchRequest;
import dev.meshctl.crds.networking.VirtualService.HttpMirrorPolicy;
import dev.meshctl.crds.networking.VirtualService.HttpRoute;
import dev.meshctl.crds.networking.VirtualService.HttpRouteDestination;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VirtualService chaining ({@code delegate}) as Istio does it: a root VirtualService (one with
 * hosts) whose HTTP rule names a delegate (a VirtualService without hosts) gets, in place of that
 * rule, the delegate's HTTP rules, each with its match merged with the root rule's match and the
 * root rule's policies (rewrite, timeout, retries, fault, mirror, CORS, headers) filling in what
 * the delegate rule leaves unset. A delegate rule whose match contradicts every root match is
 * dropped; a missing delegate, or one whose {@code exportTo} hides it from the root's namespace,
 * drops the root rule. Delegation is one level deep: delegates' own {@code delegate} rules are
 * ignored. Delegates' short destination hosts are resolved in the delegate's namespace before they
 * move into the root. Stateless and pure; any thread.
 */
public final class VirtualServiceDelegates {
  private static final Logger log = LoggerFactory.getLogger(VirtualServiceDelegates.class);

  private VirtualServiceDelegates() {}

  /**
   * The merge outcome.
   *
   * @param virtualServices the input without delegates, roots replaced by their merged form, in
   *     input order
   * @param warnings one message per dropped root rule (missing or hidden delegate)
   */
  public record Result(List<IstioConfig> virtualServices, List<String> warnings) {
    public Result {
      virtualServices = List.copyOf(virtualServices);
      warnings = List.copyOf(warnings);
    }
  }

  /** Merges every root with its delegates; VirtualServices without delegation pass unchanged. */
  public static Result merge(String domainSuffix, Collection<IstioConfig> configs) {
    Map<String, IstioConfig> delegates = new TreeMap<>();
    for (IstioConfig c : configs) {
      if (c.spec(VirtualService.class).hosts().isEmpty()) {
        delegates.put(c.namespace() + "/" + c.name(), c);
      }
    }
    List<IstioConfig> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (IstioConfig c : configs) {
      VirtualService vs = c.spec(VirtualService.class);
      if (vs.hosts().isEmpty()) {
        continue;
      }
      if (vs.http().stream().noneMatch(r -> r.delegate() != null)) {
        out.add(c);
        continue;
      }
      List<HttpRoute> merged = new ArrayList<>();
      for (int i = 0; i < vs.http().size(); i++) {
        HttpRoute rule = vs.http().get(i);
        if (rule.delegate() == null) {
          merged.add(rule);
          continue;
        }
        Delegate d = rule.delegate();
        String ns =
            d.namespace() == null || d.namespace().isEmpty() ? c.namespace() : d.namespace();
        String where = c.what() + " spec.http[" + i + "].delegate";
        IstioConfig target = delegates.get(ns + "/" + d.name());
        if (target == null) {
          warnings.add(
              where + ": VirtualService " + ns + "/" + d.name() + " not found; rule dropped");
          continue;
        }
        VirtualService dvs = target.spec(VirtualService.class);
        if (!IstioHosts.visible(dvs.exportTo(), ns, c.namespace())) {
          warnings.add(
              where
                  + ": VirtualService "
                  + ns
                  + "/"
                  + d.name()
                  + " is not exported to namespace "
                  + c.namespace()
                  + "; rule dropped");
          continue;
        }
        for (HttpRoute sub : dvs.http()) {
          if (sub.delegate() != null) {
            continue;
          }
          HttpRoute m = mergeRoute(rule, resolveDestinations(sub, ns, domainSuffix));
          if (m != null) {
            merged.add(m);
          }
        }
      }
      VirtualService spec =
          new VirtualService(vs.hosts(), vs.gateways(), merged, vs.tls(), vs.tcp(), vs.exportTo());
      out.add(c.withSpec(spec));
    }
    for (String w : warnings) {
      log.warn("event=virtual_service_delegate {}", w);
    }
    return new Result(out, warnings);
  }

  /** The delegate rule merged under the root rule; null when their matches conflict. */
  static HttpRoute mergeRoute(HttpRoute root, HttpRoute sub) {
    List<HttpMatchRequest> match = mergeMatches(root.match(), sub.match());
    if (match == null) {
      return null;
    }
    return new HttpRoute(
        joinNames(root.name(), sub.name()),
        match,
        sub.route(),
        sub.redirect(),
        sub.directResponse(),
        null,
        or(sub.rewrite(), root.rewrite()),
        or(sub.timeout(), root.timeout()),
        or(sub.retries(), root.retries()),
        or(sub.fault(), root.fault()),
        or(sub.mirror(), root.mirror()),
        sub.mirrors().isEmpty() ? root.mirrors() : sub.mirrors(),
        or(sub.mirrorPercent(), root.mirrorPercent()),
        or(sub.mirrorPercentage(), root.mirrorPercentage()),
        or(sub.corsPolicy(), root.corsPolicy()),
        or(sub.headers(), root.headers()));
  }

  /**
   * Every (root, delegate) match pair that does not conflict, merged; null (a conflict) when some
   * delegate match has no compatible root match. Either side empty means "everything".
   */
  static List<HttpMatchRequest> mergeMatches(
      List<HttpMatchRequest> root, List<HttpMatchRequest> sub) {
    if (root.isEmpty()) {
      return sub;
    }
    if (sub.isEmpty()) {
      return root;
    }
    List<HttpMatchRequest> out = new ArrayList<>();
    for (HttpMatchRequest s : sub) {
      boolean found = false;
      for (HttpMatchRequest r : root) {
        if (!conflicts(r, s)) {
          out.add(mergeMatch(r, s));
          found = true;
        }
      }
      if (!found) {
        return null;
      }
    }
    return out.isEmpty() ? null : out;
  }

  private static HttpMatchRequest mergeMatch(HttpMatchRequest r, HttpMatchRequest s) {
    return new HttpMatchRequest(
        joinNames(r.name(), s.name()),
        or(s.uri(), r.uri()),
        or(s.scheme(), r.scheme()),
        or(s.method(), r.method()),
        or(s.authority(), r.authority()),
        union(r.headers(), s.headers()),
        or(s.port(), r.port()),
        s.sourceLabels().isEmpty() ? r.sourceLabels() : s.sourceLabels(),
        s.gateways().isEmpty() ? r.gateways() : s.gateways(),
        union(r.queryParams(), s.queryParams()),
        or(s.ignoreUriCase(), r.ignoreUriCase()),
        union(r.withoutHeaders(), s.withoutHeaders()),
        or(s.sourceNamespace(), r.sourceNamespace()),
        or(s.statPrefix(), r.statPrefix()));
  }

  /** Istio's rule: a delegate match must select a subset of the root match. */
  static boolean conflicts(HttpMatchRequest r, HttpMatchRequest s) {
    if (conflicts(r.uri(), s.uri())
        || conflicts(r.scheme(), s.scheme())
        || conflicts(r.method(), s.method())
        || conflicts(r.authority(), s.authority())) {
      return true;
    }
    if (anyConflict(r.headers(), s.headers())
        || anyConflict(r.withoutHeaders(), s.withoutHeaders())
        || anyConflict(r.queryParams(), s.queryParams())) {
      return true;
    }
    if (Boolean.TRUE.equals(r.ignoreUriCase()) != Boolean.TRUE.equals(s.ignoreUriCase())) {
      return true;
    }
    return r.port() != null && s.port() != null && !r.port().equals(s.port());
  }

  private static boolean anyConflict(Map<String, StringMatch> r, Map<String, StringMatch> s) {
    for (Map.Entry<String, StringMatch> e : s.entrySet()) {
      if (conflicts(r.get(e.getKey()), e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the delegate's condition can select something outside the root's: unset on either side
   * never conflicts; regex always does (subset unknowable); under an exact root only the same exact
   * fits; under a prefix root an exact or prefix starting with it fits.
   */
  static boolean conflicts(StringMatch root, StringMatch sub) {
    if (root == null || sub == null) {
      return false;
    }
    if (root instanceof StringMatch.Regex || sub instanceof StringMatch.Regex) {
      return true;
    }
    if (root instanceof StringMatch.Exact e) {
      return !(sub instanceof StringMatch.Exact se && se.exact().equals(e.exact()));
    }
    if (root instanceof StringMatch.Prefix p) {
      if (sub instanceof StringMatch.Prefix sp) {
        return !sp.prefix().startsWith(p.prefix());
      }
      if (sub instanceof StringMatch.Exact se) {
        return !se.exact().startsWith(p.prefix());
      }
    }
    return true;
  }

  /** Short destination hosts in the delegate mean services of the delegate's namespace. */
  private static HttpRoute resolveDestinations(HttpRoute r, String ns, String suffix) {
    List<HttpRouteDestination> route = new ArrayList<>();
    for (HttpRouteDestination d : r.route()) {
      route.add(
          new HttpRouteDestination(resolve(d.destination(), ns, suffix), d.weight(), d.headers()));
    }
    List<HttpMirrorPolicy> mirrors = new ArrayList<>();
    for (HttpMirrorPolicy m : r.mirrors()) {
      mirrors.add(new HttpMirrorPolicy(resolve(m.destination(), ns, suffix), m.percentage()));
    }
    return new HttpRoute(
        r.name(),
        r.match(),
        route,
        r.redirect(),
        r.directResponse(),
        r.delegate(),
        r.rewrite(),
        r.timeout(),
        r.retries(),
        r.fault(),
        resolve(r.mirror(), ns, suffix),
        mirrors,
        r.mirrorPercent(),
        r.mirrorPercentage(),
        r.corsPolicy(),
        r.headers());
  }

  private static Destination resolve(Destination d, String ns, String suffix) {
    if (d == null || d.host() == null) {
      return d;
    }
    return new Destination(IstioHosts.resolve(d.host(), ns, suffix), d.subset(), d.port());
  }

  private static Map<String, StringMatch> union(
      Map<String, StringMatch> root, Map<String, StringMatch> sub) {
    Map<String, StringMatch> out = new TreeMap<>(root);
    out.putAll(sub);
    return Collections.unmodifiableMap(out);
  }

  private static String joinNames(String root, String sub) {
    if (sub == null || sub.isEmpty()) {
      return root;
    }
    return root == null || root.isEmpty() ? sub : root + "-" + sub;
  }

  private static <T> T or(T first, T fallback) {
    return first != null ? first : fallback;
  }
}
