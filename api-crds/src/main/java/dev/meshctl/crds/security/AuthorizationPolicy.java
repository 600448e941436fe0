package dev.meshctl.crds.security;

import dev.meshctl.crds.Required;
import dev.meshctl.crds.networking.Common.MatchLabelsSelector;
import java.util.List;

/**
 * The spec of a {@code security.istio.io} AuthorizationPolicy: which requests a workload allows,
 * denies, audits or delegates to an external authorizer. Immutable; {@code null} means absent;
 * decoded lists are never {@code null}. Validated, served, and compiled into Envoy RBAC by the
 * xds-server's {@code RbacBuilder}.
 */
public record AuthorizationPolicy(
    MatchLabelsSelector selector,
    PolicyTargetReference targetRef,
    List<PolicyTargetReference> targetRefs,
    List<Rule> rules,
    Action action,
    ExtensionProvider provider)
    implements SecuritySpec {

  /** What a matching request gets; {@code ALLOW} when unset. */
  public enum Action {
    ALLOW,
    DENY,
    AUDIT,
    CUSTOM
  }

  /** The external authorizer of a {@code CUSTOM} policy (a mesh config extension provider). */
  public record ExtensionProvider(String name) {}

  /** A request matches a rule when it matches some {@code from}, some {@code to} and every when. */
  public record Rule(List<From> from, List<To> to, List<Condition> when) {}

  /** The requester side of a rule. */
  public record From(Source source) {}

  /** The requested side of a rule. */
  public record To(Operation operation) {}

  /** Request peer and request identity; the lists within one source are ANDed. */
  public record Source(
      List<String> principals,
      List<String> notPrincipals,
      List<String> requestPrincipals,
      List<String> notRequestPrincipals,
      List<String> namespaces,
      List<String> notNamespaces,
      List<String> ipBlocks,
      List<String> notIpBlocks,
      List<String> remoteIpBlocks,
      List<String> notRemoteIpBlocks,
      List<String> serviceAccounts,
      List<String> notServiceAccounts,
      List<String> trustDomains,
      List<String> notTrustDomains) {}

  /** The requested operation; ports are strings, as in Istio's API. */
  public record Operation(
      List<String> hosts,
      List<String> notHosts,
      List<String> ports,
      List<String> notPorts,
      List<String> methods,
      List<String> notMethods,
      List<String> paths,
      List<String> notPaths) {}

  /** An extra condition on a request attribute ({@code key}, e.g. {@code source.ip}). */
  public record Condition(@Required String key, List<String> values, List<String> notValues) {}
}
