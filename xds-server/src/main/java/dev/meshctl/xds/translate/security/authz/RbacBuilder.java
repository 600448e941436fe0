package dev.meshctl.xds.translate.security.authz;

import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.allPermissions;
import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.allPrincipals;
import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.anyPermission;
import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.anyPrincipal;
import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.nonePermission;
import static dev.meshctl.xds.translate.security.authz.AuthzMatchers.nonePrincipal;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.security.AuthorizationPolicy;
import dev.meshctl.crds.security.AuthorizationPolicy.Action;
import dev.meshctl.crds.security.AuthorizationPolicy.Condition;
import dev.meshctl.crds.security.AuthorizationPolicy.From;
import dev.meshctl.crds.security.AuthorizationPolicy.Operation;
import dev.meshctl.crds.security.AuthorizationPolicy.Rule;
import dev.meshctl.crds.security.AuthorizationPolicy.Source;
import dev.meshctl.crds.security.AuthorizationPolicy.To;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compiles the AuthorizationPolicies that apply to a workload into Envoy RBAC filters, as Istio
 * does: one filter per action, AUDIT ({@code LOG}) then DENY then ALLOW, each with one policy per
 * rule named {@code ns[<ns>]-policy[<name>]-rule[<i>]}. A rule is a policy whose permission is
 * "some {@code to} and the destination conditions" and whose principal is "some {@code from} and
 * the source conditions". An ALLOW filter exists as soon as one ALLOW policy applies, so a workload
 * with an ALLOW policy denies what no rule allows (an ALLOW policy without rules denies all).
 *
 * <p>On TCP chains HTTP-only attributes (methods, paths, hosts, request principals, {@code
 * request.*} conditions) cannot be checked: an ALLOW rule using them is left out (it allows
 * nothing), a DENY or AUDIT rule drops them (it denies more), Istio's fail-closed rule. CUSTOM
 * policies need an external authorizer, which meshctl does not configure: as Istio does for a
 * CUSTOM policy whose provider is unusable, their rules join the DENY filter (named {@code
 * ...-rule[i]-deny-due-to-bad-CUSTOM-action}), so they fail closed. Pure; any thread.
 */
public final class RbacBuilder {
  /** Istio's suffix for the rules of a CUSTOM policy denied for want of its provider. */
  static final String CUSTOM_DENY_SUFFIX = "-deny-due-to-bad-CUSTOM-action";

  /** Prefix of the network RBAC filter's statistics, as Istio's. */
  static final String TCP_STAT_PREFIX = "tcp.";

  private RbacBuilder() {}

  /**
   * The RBAC filters of one workload.
   *
   * @param http HTTP filters for inbound HTTP connection managers, before the router
   * @param tcp network filters for inbound TCP chains, before {@code tcp_proxy}
   */
  public record AuthzFilters(List<HttpFilter> http, List<Filter> tcp) {
    public static final AuthzFilters NONE = new AuthzFilters(List.of(), List.of());

    public AuthzFilters {
      http = List.copyOf(http);
      tcp = List.copyOf(tcp);
    }
  }

  /** The filters for {@code policies} (those applying to the workload, in order). */
  public static AuthzFilters of(List<IstioConfig> policies) {
    if (policies.isEmpty()) {
      return AuthzFilters.NONE;
    }
    List<HttpFilter> http = new ArrayList<>();
    List<Filter> tcp = new ArrayList<>();
    for (Action action : List.of(Action.AUDIT, Action.DENY, Action.ALLOW)) {
      rbac(policies, action, false)
          .ifPresent(
              r ->
                  http.add(
                      TypedConfigs.httpFilter(
                          TypedConfigs.RBAC_HTTP,
                          io.envoyproxy
                              .envoy
                              .extensions
                              .filters
                              .http
                              .rbac
                              .v3
                              .RBAC
                              .newBuilder()
                              .setRules(r)
                              .build())));
      rbac(policies, action, true)
          .ifPresent(
              r ->
                  tcp.add(
                      TypedConfigs.networkFilter(
                          TypedConfigs.RBAC_NETWORK,
                          io.envoyproxy
                              .envoy
                              .extensions
                              .filters
                              .network
                              .rbac
                              .v3
                              .RBAC
                              .newBuilder()
                              .setStatPrefix(TCP_STAT_PREFIX)
                              .setRules(r)
                              .build())));
    }
    return new AuthzFilters(http, tcp);
  }

  /**
   * The HTTP filters for a proxyless gRPC server: DENY then ALLOW (AUDIT only logs, and grpc has no
   * RBAC logging), named apart because grpc refuses two filters of one name.
   */
  public static List<HttpFilter> grpcHttpFilters(List<IstioConfig> policies) {
    List<HttpFilter> out = new ArrayList<>();
    for (Action action : List.of(Action.DENY, Action.ALLOW)) {
      rbac(policies, action, false)
          .ifPresent(
              r ->
                  out.add(
                      TypedConfigs.httpFilter(
                          TypedConfigs.RBAC_HTTP + "." + action.name().toLowerCase(Locale.ROOT),
                          io.envoyproxy
                              .envoy
                              .extensions
                              .filters
                              .http
                              .rbac
                              .v3
                              .RBAC
                              .newBuilder()
                              .setRules(r)
                              .build())));
    }
    return out;
  }

  /** The rules of one action, or empty when no policy of that action applies. */
  static Optional<RBAC> rbac(List<IstioConfig> policies, Action action, boolean tcp) {
    boolean any = false;
    Map<String, Policy> out = new TreeMap<>();
    for (IstioConfig c : policies) {
      AuthorizationPolicy p = c.spec(AuthorizationPolicy.class);
      Action a = p.action() == null ? Action.ALLOW : p.action();
      // No external authorizer is configured, so a CUSTOM policy fails closed as in Istio: what
      // its rules match is denied, under Istio's name for such rules.
      boolean custom = a == Action.CUSTOM && action == Action.DENY;
      if (a != action && !custom) {
        continue;
      }
      any = true;
      List<Rule> rules = p.rules() == null ? List.of() : p.rules();
      for (int i = 0; i < rules.size(); i++) {
        String name =
            "ns["
                + c.namespace()
                + "]-policy["
                + c.name()
                + "]-rule["
                + i
                + "]"
                + (custom ? CUSTOM_DENY_SUFFIX : "");
        rule(rules.get(i), action, tcp).ifPresent(policy -> out.put(name, policy));
      }
    }
    if (!any) {
      return Optional.empty();
    }
    RBAC.Action envoy =
        switch (action) {
          case DENY -> RBAC.Action.DENY;
          case AUDIT -> RBAC.Action.LOG;
          default -> RBAC.Action.ALLOW;
        };
    return Optional.of(RBAC.newBuilder().setAction(envoy).putAllPolicies(out).build());
  }

  /** Collects the parts of one rule; remembers HTTP-only attributes met on a TCP chain. */
  private static final class Parts {
    final boolean tcp;
    boolean httpOnly;
    boolean unknown;

    Parts(boolean tcp) {
      this.tcp = tcp;
    }

    /** False (and noted) when the attribute is HTTP-only and the chain TCP. */
    boolean http() {
      if (tcp) {
        httpOnly = true;
        return false;
      }
      return true;
    }
  }

  private static Optional<Policy> rule(Rule r, Action action, boolean tcp) {
    Parts parts = new Parts(tcp);
    List<Permission> permissions = new ArrayList<>();
    List<Principal> principals = new ArrayList<>();
    if (r.to() != null && !r.to().isEmpty()) {
      List<Permission> tos = new ArrayList<>();
      for (To to : r.to()) {
        tos.add(operation(to.operation(), parts));
      }
      permissions.add(
          tos.size() == 1
              ? tos.get(0)
              : Permission.newBuilder()
                  .setOrRules(Permission.Set.newBuilder().addAllRules(tos))
                  .build());
    }
    if (r.from() != null && !r.from().isEmpty()) {
      List<Principal> froms = new ArrayList<>();
      for (From from : r.from()) {
        froms.add(source(from.source(), parts));
      }
      principals.add(
          froms.size() == 1
              ? froms.get(0)
              : Principal.newBuilder()
                  .setOrIds(Principal.Set.newBuilder().addAllIds(froms))
                  .build());
    }
    for (Condition c : r.when() == null ? List.<Condition>of() : r.when()) {
      condition(c, parts, permissions, principals);
    }
    if ((parts.unknown || parts.httpOnly) && action == Action.ALLOW) {
      // Cannot be checked here: an ALLOW rule allows nothing; a DENY rule denies without it.
      return Optional.empty();
    }
    return Optional.of(
        Policy.newBuilder()
            .addPermissions(allPermissions(permissions))
            .addPrincipals(allPrincipals(principals))
            .build());
  }

  private static Permission operation(Operation op, Parts parts) {
    List<Permission> and = new ArrayList<>();
    if (op == null) {
      return allPermissions(and);
    }
    if (hasAny(op.hosts(), op.notHosts()) && parts.http()) {
      permissions(and, op.hosts(), op.notHosts(), v -> header(":authority", v));
    }
    permissions(and, op.ports(), op.notPorts(), RbacBuilder::port);
    if (hasAny(op.methods(), op.notMethods()) && parts.http()) {
      permissions(and, op.methods(), op.notMethods(), v -> header(":method", v));
    }
    if (hasAny(op.paths(), op.notPaths()) && parts.http()) {
      permissions(and, op.paths(), op.notPaths(), RbacBuilder::path);
    }
    return allPermissions(and);
  }

  private static Principal source(Source s, Parts parts) {
    List<Principal> and = new ArrayList<>();
    if (s == null) {
      return allPrincipals(and);
    }
    principals(and, s.principals(), s.notPrincipals(), AuthzMatchers::principal);
    if (hasAny(s.requestPrincipals(), s.notRequestPrincipals()) && parts.http()) {
      principals(
          and,
          s.requestPrincipals(),
          s.notRequestPrincipals(),
          v -> metadata("request.auth.principal", v));
    }
    principals(and, s.namespaces(), s.notNamespaces(), AuthzMatchers::namespace);
    principals(and, s.ipBlocks(), s.notIpBlocks(), RbacBuilder::directRemoteIp);
    principals(and, s.remoteIpBlocks(), s.notRemoteIpBlocks(), RbacBuilder::remoteIp);
    principals(and, s.serviceAccounts(), s.notServiceAccounts(), AuthzMatchers::serviceAccount);
    principals(and, s.trustDomains(), s.notTrustDomains(), AuthzMatchers::trustDomain);
    return allPrincipals(and);
  }

  /** A {@code when} condition joins the permission (destination side) or principal (source). */
  private static void condition(
      Condition c, Parts parts, List<Permission> permissions, List<Principal> principals) {
    String key = c.key();
    List<String> values = c.values();
    List<String> not = c.notValues();
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      if (parts.http()) {
        String header = key.substring("request.headers[".length(), key.length() - 1);
        principals(principals, values, not, v -> headerPrincipal(header, v));
      }
    } else if (key.startsWith("request.auth.")) {
      if (parts.http()) {
        principals(principals, values, not, v -> metadata(key, v));
      }
    } else {
      switch (key) {
        case "source.ip" -> {
          principals(principals, values, not, RbacBuilder::directRemoteIp);
        }
        case "remote.ip" -> {
          principals(principals, values, not, RbacBuilder::remoteIp);
        }
        case "source.namespace" -> {
          principals(principals, values, not, AuthzMatchers::namespace);
        }
        case "source.principal" -> {
          principals(principals, values, not, AuthzMatchers::principal);
        }
        case "destination.ip" -> {
          permissions(permissions, values, not, RbacBuilder::destinationIp);
        }
        case "destination.port" -> {
          permissions(permissions, values, not, RbacBuilder::port);
        }
        case "connection.sni" -> {
          permissions(permissions, values, not, RbacBuilder::sni);
        }
        default -> parts.unknown = true;
      }
    }
  }

  /** Adds "any of {@code values}" and "none of {@code not}" (each when given) to {@code out}. */
  private static void principals(
      List<Principal> out,
      List<String> values,
      List<String> not,
      java.util.function.Function<String, Principal> one) {
    add(out, anyPrincipal(values, one));
    add(out, nonePrincipal(not, one));
  }

  /** Adds "any of {@code values}" and "none of {@code not}" (each when given) to {@code out}. */
  private static void permissions(
      List<Permission> out,
      List<String> values,
      List<String> not,
      java.util.function.Function<String, Permission> one) {
    add(out, anyPermission(values, one));
    add(out, nonePermission(not, one));
  }

  private static boolean hasAny(List<String> a, List<String> b) {
    return (a != null && !a.isEmpty()) || (b != null && !b.isEmpty());
  }

  private static <T> void add(List<T> list, T item) {
    if (item != null) {
      list.add(item);
    }
  }

  private static Permission header(String name, String value) {
    return Permission.newBuilder().setHeader(AuthzMatchers.header(name, value)).build();
  }

  private static Principal headerPrincipal(String name, String value) {
    return Principal.newBuilder().setHeader(AuthzMatchers.header(name, value)).build();
  }

  private static Permission path(String value) {
    return Permission.newBuilder().setUrlPath(AuthzMatchers.path(value)).build();
  }

  private static Permission port(String value) {
    try {
      return Permission.newBuilder().setDestinationPort(Integer.parseInt(value.strip())).build();
    } catch (NumberFormatException e) {
      // Validation rejects such ports; should one get here, it matches nothing.
      return Permission.newBuilder().setNotRule(Permission.newBuilder().setAny(true)).build();
    }
  }

  private static Permission destinationIp(String value) {
    return Permission.newBuilder().setDestinationIp(AuthzMatchers.cidr(value)).build();
  }

  private static Permission sni(String value) {
    return Permission.newBuilder()
        .setRequestedServerName(AuthzMatchers.string(value, false))
        .build();
  }

  private static Principal directRemoteIp(String value) {
    return Principal.newBuilder().setDirectRemoteIp(AuthzMatchers.cidr(value)).build();
  }

  private static Principal remoteIp(String value) {
    return Principal.newBuilder().setRemoteIp(AuthzMatchers.cidr(value)).build();
  }

  private static Principal metadata(String key, String value) {
    return Principal.newBuilder().setMetadata(AuthzMatchers.authnMetadata(key, value)).build();
  }
}
