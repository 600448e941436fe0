package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.security.AuthorizationPolicy;
import dev.meshctl.crds.security.AuthorizationPolicy.Action;
import dev.meshctl.crds.security.AuthorizationPolicy.Condition;
import dev.meshctl.crds.security.AuthorizationPolicy.Operation;
import dev.meshctl.crds.security.AuthorizationPolicy.Rule;
import dev.meshctl.crds.security.AuthorizationPolicy.Source;
import java.util.List;
import java.util.stream.Stream;

/**
 * Istio's semantic rules for AuthorizationPolicy: action and provider, non-empty rules for DENY and
 * CUSTOM, non-empty sources and operations, IPs, ports, service accounts, path templates and the
 * condition ({@code when}) attributes Istio knows. Stateless.
 */
final class AuthorizationPolicyRules {
  private AuthorizationPolicyRules() {}

  static void validate(Findings f, AuthorizationPolicy ap) {
    SecurityRules.targets(f, ap.selector(), ap.targetRef(), ap.targetRefs());
    SecurityRules.selector(f, ap.selector());
    Action action = ap.action() == null ? Action.ALLOW : ap.action();
    if (action == Action.CUSTOM) {
      if (ap.rules().isEmpty()) {
        f.error(
            "spec.rules",
            "a CUSTOM policy without rules never applies; add an empty rule {} to apply it to every"
                + " request");
      } else if (ap.provider() == null
          || ap.provider().name() == null
          || ap.provider().name().isEmpty()) {
        f.error("spec.provider.name", "required with action CUSTOM");
      }
    } else if (ap.provider() != null) {
      f.error("spec.provider", "only allowed with action CUSTOM, got action " + action);
    }
    if (action == Action.DENY && ap.rules().isEmpty()) {
      f.error(
          "spec.rules",
          "a DENY policy without rules never applies; add an empty rule {} to deny every request");
    }
    for (int i = 0; i < ap.rules().size(); i++) {
      rule(f, "spec.rules[" + i + "]", ap.rules().get(i), action);
    }
  }

  private static void rule(Findings f, String p, Rule r, Action action) {
    boolean fromSet = false;
    boolean tcpFrom = false;
    for (int j = 0; j < r.from().size(); j++) {
      String fp = p + ".from[" + j + "].source";
      Source s = r.from().get(j).source();
      if (s == null) {
        f.error(fp, "required");
        continue;
      }
      fromSet = true;
      source(f, fp, s, action);
      // Everything but request principals can be checked on plain TCP.
      tcpFrom |=
          Stream.of(
                  s.principals(),
                  s.notPrincipals(),
                  s.namespaces(),
                  s.notNamespaces(),
                  s.ipBlocks(),
                  s.notIpBlocks(),
                  s.remoteIpBlocks(),
                  s.notRemoteIpBlocks(),
                  s.serviceAccounts(),
                  s.notServiceAccounts(),
                  s.trustDomains(),
                  s.notTrustDomains())
              .anyMatch(l -> !l.isEmpty());
    }
    boolean toSet = false;
    boolean tcpTo = false;
    for (int j = 0; j < r.to().size(); j++) {
      String op = p + ".to[" + j + "].operation";
      Operation o = r.to().get(j).operation();
      if (o == null) {
        f.error(op, "required");
        continue;
      }
      toSet = true;
      operation(f, op, o);
      tcpTo |= !o.ports().isEmpty() || !o.notPorts().isEmpty();
    }
    for (int j = 0; j < r.when().size(); j++) {
      condition(f, p + ".when[" + j + "]", r.when().get(j), action);
    }
    if (action == Action.DENY && ((fromSet && !toSet && !tcpFrom) || (toSet && !tcpTo))) {
      f.warn(
          p,
          "this DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports in its"
              + " scope; name the ports explicitly");
    }
  }

  private static void source(Findings f, String p, Source s, Action action) {
    boolean identity =
        !(s.principals().isEmpty()
            && s.notPrincipals().isEmpty()
            && s.namespaces().isEmpty()
            && s.notNamespaces().isEmpty());
    boolean accounts = !(s.serviceAccounts().isEmpty() && s.notServiceAccounts().isEmpty());
    if (identity && accounts) {
      f.error(p, "serviceAccounts must not be combined with principals or namespaces");
    }
    boolean empty =
        Stream.of(
                s.principals(),
                s.notPrincipals(),
                s.requestPrincipals(),
                s.notRequestPrincipals(),
                s.namespaces(),
                s.notNamespaces(),
                s.ipBlocks(),
                s.notIpBlocks(),
                s.remoteIpBlocks(),
                s.notRemoteIpBlocks(),
                s.serviceAccounts(),
                s.notServiceAccounts(),
                s.trustDomains(),
                s.notTrustDomains())
            .allMatch(List::isEmpty);
    if (empty) {
      f.error(p, "must not be empty");
    }
    SecurityRules.nonEmpty(f, p + ".principals", s.principals());
    SecurityRules.nonEmpty(f, p + ".notPrincipals", s.notPrincipals());
    SecurityRules.nonEmpty(f, p + ".requestPrincipals", s.requestPrincipals());
    SecurityRules.nonEmpty(f, p + ".notRequestPrincipals", s.notRequestPrincipals());
    SecurityRules.nonEmpty(f, p + ".namespaces", s.namespaces());
    SecurityRules.nonEmpty(f, p + ".notNamespaces", s.notNamespaces());
    SecurityRules.nonEmpty(f, p + ".trustDomains", s.trustDomains());
    SecurityRules.nonEmpty(f, p + ".notTrustDomains", s.notTrustDomains());
    for (String field : List.of("ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks")) {
      List<String> values =
          switch (field) {
            case "ipBlocks" -> s.ipBlocks();
            case "notIpBlocks" -> s.notIpBlocks();
            case "remoteIpBlocks" -> s.remoteIpBlocks();
            default -> s.notRemoteIpBlocks();
          };
      SecurityRules.nonEmpty(f, p + "." + field, values);
      SecurityRules.ips(f, p + "." + field, values);
    }
    SecurityRules.serviceAccounts(f, p + ".serviceAccounts", s.serviceAccounts());
    SecurityRules.serviceAccounts(f, p + ".notServiceAccounts", s.notServiceAccounts());
    if (action == Action.CUSTOM) {
      // The external authorizer is consulted before identity is known to the CUSTOM filter.
      customUnsupported(f, p + ".namespaces", s.namespaces());
      customUnsupported(f, p + ".notNamespaces", s.notNamespaces());
      customUnsupported(f, p + ".serviceAccounts", s.serviceAccounts());
      customUnsupported(f, p + ".notServiceAccounts", s.notServiceAccounts());
      customUnsupported(f, p + ".principals", s.principals());
      customUnsupported(f, p + ".notPrincipals", s.notPrincipals());
      customUnsupported(f, p + ".requestPrincipals", s.requestPrincipals());
      customUnsupported(f, p + ".notRequestPrincipals", s.notRequestPrincipals());
    }
  }

  private static void customUnsupported(Findings f, String p, List<String> values) {
    if (!values.isEmpty()) {
      f.error(p, "not supported with action CUSTOM");
    }
  }

  private static void operation(Findings f, String p, Operation o) {
    boolean empty =
        Stream.of(
                o.hosts(),
                o.notHosts(),
                o.ports(),
                o.notPorts(),
                o.methods(),
                o.notMethods(),
                o.paths(),
                o.notPaths())
            .allMatch(List::isEmpty);
    if (empty) {
      f.error(p, "must not be empty");
    }
    SecurityRules.nonEmpty(f, p + ".hosts", o.hosts());
    SecurityRules.nonEmpty(f, p + ".notHosts", o.notHosts());
    SecurityRules.nonEmpty(f, p + ".ports", o.ports());
    SecurityRules.nonEmpty(f, p + ".notPorts", o.notPorts());
    SecurityRules.nonEmpty(f, p + ".methods", o.methods());
    SecurityRules.nonEmpty(f, p + ".notMethods", o.notMethods());
    SecurityRules.nonEmpty(f, p + ".paths", o.paths());
    SecurityRules.nonEmpty(f, p + ".notPaths", o.notPaths());
    SecurityRules.ports(f, p + ".ports", o.ports());
    SecurityRules.ports(f, p + ".notPorts", o.notPorts());
    Conditions.paths(f, p + ".paths", o.paths());
    Conditions.paths(f, p + ".notPaths", o.notPaths());
  }

  private static void condition(Findings f, String p, Condition c, Action action) {
    String key = c.key();
    if (key == null || key.isEmpty()) {
      f.error(p + ".key", "required");
      return;
    }
    if (c.values().isEmpty() && c.notValues().isEmpty()) {
      f.error(p, "one of values or notValues is required for key " + q(key));
      return;
    }
    if (action == Action.CUSTOM
        && (key.equals("source.namespace")
            || key.equals("source.serviceAccount")
            || key.equals("source.principal")
            || key.startsWith("request.auth."))) {
      f.error(p + ".key", "key " + q(key) + " is not supported with action CUSTOM");
    }
    String keyError = Conditions.keyError(key);
    if (keyError != null) {
      f.error(p + ".key", keyError);
      return;
    }
    Conditions.values(f, p + ".values", key, c.values());
    Conditions.values(f, p + ".notValues", key, c.notValues());
  }
}
