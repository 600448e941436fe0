package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsSettings;
import dev.meshctl.crds.networking.DestinationRule.LoadBalancerSettings;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.DestinationRule.TrafficPolicy;
import java.util.HashSet;
import java.util.Set;

/** Istio's semantic rules for DestinationRule. Stateless. */
final class DestinationRuleRules {
  private DestinationRuleRules() {}

  static void validate(Findings f, DestinationRule dr) {
    if (dr.host() == null) {
      f.error("spec.host", "required");
    } else {
      String why = Rules.wildcardDomain(dr.host());
      if (why != null) {
        f.error("spec.host", why);
      }
    }
    policy(f, "spec.trafficPolicy", dr.trafficPolicy());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < dr.subsets().size(); i++) {
      var s = dr.subsets().get(i);
      String p = "spec.subsets[" + i + "]";
      if (s.name() == null || s.name().isEmpty()) {
        f.error(p + ".name", "required");
      } else {
        if (!Rules.isLowerDnsLabel(s.name())) {
          f.error(p + ".name", "invalid subset name " + q(s.name()) + " (must be a DNS label)");
        }
        if (!names.add(s.name())) {
          f.error(p + ".name", "duplicate subset name " + q(s.name()));
        }
      }
      Rules.labels(f, p + ".labels", s.labels());
      policy(f, p + ".trafficPolicy", s.trafficPolicy());
    }
    Common.exportTo(f, dr.exportTo(), false);
    if (dr.workloadSelector() != null
        && !dr.exportTo().isEmpty()
        && !dr.exportTo().equals(java.util.List.of("."))) {
      f.error(
          "spec.exportTo",
          "a DestinationRule with a workloadSelector may only be exported to its own namespace");
    }
  }

  static void policy(Findings f, String p, TrafficPolicy t) {
    if (t == null) {
      return;
    }
    if (t.loadBalancer() == null
        && t.connectionPool() == null
        && t.outlierDetection() == null
        && t.tls() == null
        && t.portLevelSettings().isEmpty()
        && t.tunnel() == null
        && t.proxyProtocol() == null
        && t.retryBudget() == null) {
      f.error(p, "traffic policy must set at least one field");
    }
    if (t.tunnel() != null && t.proxyProtocol() != null) {
      f.error(p, "tunnel and proxyProtocol must not both be set");
    }
    loadBalancer(f, p + ".loadBalancer", t.loadBalancer(), t.outlierDetection() != null);
    pool(f, p + ".connectionPool", t.connectionPool());
    outlier(f, p + ".outlierDetection", t.outlierDetection());
    tls(f, p + ".tls", t.tls());
    for (int i = 0; i < t.portLevelSettings().size(); i++) {
      var pl = t.portLevelSettings().get(i);
      String pp = p + ".portLevelSettings[" + i + "]";
      if (pl.port() == null) {
        f.error(pp + ".port", "required");
      } else {
        Rules.port(f, pp + ".port.number", pl.port().number());
      }
      if (pl.loadBalancer() == null
          && pl.connectionPool() == null
          && pl.outlierDetection() == null
          && pl.tls() == null) {
        f.error(pp, "port traffic policy must set at least one field");
      }
      loadBalancer(f, pp + ".loadBalancer", pl.loadBalancer(), pl.outlierDetection() != null);
      pool(f, pp + ".connectionPool", pl.connectionPool());
      outlier(f, pp + ".outlierDetection", pl.outlierDetection());
      tls(f, pp + ".tls", pl.tls());
    }
    if (t.tunnel() != null) {
      var tu = t.tunnel();
      if (tu.protocol() != null
          && !tu.protocol().equals("CONNECT")
          && !tu.protocol().equals("POST")) {
        f.error(p + ".tunnel.protocol", "must be \"CONNECT\" or \"POST\", got " + q(tu.protocol()));
      }
      if (tu.targetHost() == null
          || (Rules.fqdn(tu.targetHost()) != null && !Rules.isIp(tu.targetHost()))) {
        f.error(
            p + ".tunnel.targetHost",
            "must be an FQDN or IP address, got " + q(String.valueOf(tu.targetHost())));
      }
      if (tu.targetPort() == null) {
        f.error(p + ".tunnel.targetPort", "required");
      }
      Rules.port(f, p + ".tunnel.targetPort", tu.targetPort());
    }
    if (t.retryBudget() != null && t.retryBudget().percent() != null) {
      double v = t.retryBudget().percent();
      if (v < 0 || v > 100) {
        f.error(p + ".retryBudget.percent", "must be in 0..100, got " + v);
      }
    }
  }

  private static void loadBalancer(
      Findings f, String p, LoadBalancerSettings lb, boolean hasOutlierDetection) {
    if (lb == null) {
      return;
    }
    if (lb.lbPolicy() instanceof DestinationRule.ConsistentHash ch) {
      var c = ch.consistentHash();
      String cp = p + ".consistentHash";
      if (c.hashKey() instanceof DestinationRule.HttpCookie cookie) {
        if (cookie.httpCookie().name() == null || cookie.httpCookie().name().isEmpty()) {
          f.error(cp + ".httpCookie.name", "required");
        }
      }
      if (c.minimumRingSize() != null) {
        f.warn(cp + ".minimumRingSize", "deprecated, use ringHash.minimumRingSize");
        if (c.hashAlgorithm() != null) {
          f.error(cp, "minimumRingSize and ringHash/maglev must not both be set");
        }
      }
      if (c.hashAlgorithm() instanceof DestinationRule.Maglev m) {
        Long size = m.maglev().tableSize();
        if (size == null || size == 0) {
          f.error(cp + ".maglev.tableSize", "required");
        } else if (size >= 5_000_011L) {
          f.error(cp + ".maglev.tableSize", "must be less than 5000011, got " + size);
        } else if (!isPrime(size)) {
          f.error(cp + ".maglev.tableSize", "must be a prime number, got " + size);
        }
      }
    }
    if (lb.lbPolicy() instanceof DestinationRule.Simple s
        && s.simple() == DestinationRule.SimpleLb.LEAST_CONN) {
      f.warn(p + ".simple", "LEAST_CONN is deprecated, use LEAST_REQUEST");
    }
    if (lb.localityLbSetting() != null && lb.zoneAwareLbSetting() != null) {
      f.error(p, "localityLbSetting and zoneAwareLbSetting must not both be set");
    }
    LocalityRules.check(f, p + ".localityLbSetting", lb.localityLbSetting(), hasOutlierDetection);
    Rules.duration(f, p + ".warmupDurationSecs", lb.warmupDurationSecs());
    if (lb.warmup() != null) {
      if (lb.warmup().duration() == null) {
        f.error(p + ".warmup.duration", "required");
      }
      Rules.duration(f, p + ".warmup.duration", lb.warmup().duration());
      if (lb.warmup().aggression() != null && lb.warmup().aggression() <= 0) {
        f.error(p + ".warmup.aggression", "must be > 0, got " + lb.warmup().aggression());
      }
      if (lb.warmup().minimumPercent() != null && lb.warmup().minimumPercent() > 100) {
        f.error(
            p + ".warmup.minimumPercent", "must be <= 100, got " + lb.warmup().minimumPercent());
      }
    }
  }

  private static boolean isPrime(long x) {
    if (x < 2) {
      return false;
    }
    for (long d = 2; d * d <= x; d++) {
      if (x % d == 0) {
        return false;
      }
    }
    return true;
  }

  static void pool(Findings f, String p, ConnectionPoolSettings c) {
    if (c == null) {
      return;
    }
    if (c.tcp() == null && c.http() == null) {
      f.error(p, "connection pool must set tcp or http");
    }
    var h = c.http();
    if (h != null) {
      nonNegative(f, p + ".http.http1MaxPendingRequests", h.http1MaxPendingRequests());
      nonNegative(f, p + ".http.http2MaxRequests", h.http2MaxRequests());
      nonNegative(f, p + ".http.maxRequestsPerConnection", h.maxRequestsPerConnection());
      nonNegative(f, p + ".http.maxRetries", h.maxRetries());
      nonNegative(f, p + ".http.maxConcurrentStreams", h.maxConcurrentStreams());
      Rules.duration(f, p + ".http.idleTimeout", h.idleTimeout());
      if (h.h2UpgradePolicy() == dev.meshctl.crds.networking.Common.H2UpgradePolicy.UPGRADE
          && Boolean.TRUE.equals(h.useClientProtocol())) {
        f.error(p + ".http.useClientProtocol", "must not be true when h2UpgradePolicy is UPGRADE");
      }
      if (h.http2KeepAlive() != null) {
        if (h.http2KeepAlive().interval() == null) {
          f.error(p + ".http.http2KeepAlive.interval", "required");
        }
        if (h.http2KeepAlive().timeout() == null) {
          f.error(p + ".http.http2KeepAlive.timeout", "required");
        }
        Rules.duration(f, p + ".http.http2KeepAlive.interval", h.http2KeepAlive().interval());
        Rules.duration(f, p + ".http.http2KeepAlive.timeout", h.http2KeepAlive().timeout());
      }
    }
    var t = c.tcp();
    if (t != null) {
      nonNegative(f, p + ".tcp.maxConnections", t.maxConnections());
      Rules.duration(f, p + ".tcp.connectTimeout", t.connectTimeout());
      Rules.duration(f, p + ".tcp.maxConnectionDuration", t.maxConnectionDuration());
      if (t.idleTimeout() != null && t.idleTimeout().toMillis() != 0) {
        Rules.duration(f, p + ".tcp.idleTimeout", t.idleTimeout());
      }
      if (t.tcpKeepalive() != null) {
        Rules.duration(f, p + ".tcp.tcpKeepalive.time", t.tcpKeepalive().time());
        Rules.duration(f, p + ".tcp.tcpKeepalive.interval", t.tcpKeepalive().interval());
      }
    }
  }

  private static void nonNegative(Findings f, String p, Integer v) {
    if (v != null && v < 0) {
      f.error(p, "must be >= 0, got " + v);
    }
  }

  static void outlier(Findings f, String p, OutlierDetection o) {
    if (o == null) {
      return;
    }
    Rules.duration(f, p + ".baseEjectionTime", o.baseEjectionTime());
    Rules.duration(f, p + ".interval", o.interval());
    if (o.consecutiveErrors() != null && o.consecutiveErrors() != 0) {
      f.warn(
          p + ".consecutiveErrors",
          "deprecated, use consecutiveGatewayErrors or consecutive5xxErrors");
    }
    if (!Boolean.TRUE.equals(o.splitExternalLocalOriginErrors())
        && o.consecutiveLocalOriginFailures() != null
        && o.consecutiveLocalOriginFailures() > 0) {
      f.error(
          p + ".consecutiveLocalOriginFailures",
          "is set but splitExternalLocalOriginErrors is false");
    }
    Rules.intPercent(f, p + ".maxEjectionPercent", o.maxEjectionPercent());
    Rules.intPercent(f, p + ".minHealthPercent", o.minHealthPercent());
  }

  private static void tls(Findings f, String p, ClientTlsSettings t) {
    if (t == null) {
      return;
    }
    if (t.mode() == DestinationRule.ClientTlsMode.ISTIO_MUTUAL) {
      if (t.clientCertificate() != null
          || t.privateKey() != null
          || t.caCertificates() != null
          || t.credentialName() != null) {
        f.error(
            p,
            "ISTIO_MUTUAL must not set clientCertificate, privateKey, caCertificates or credentialName");
      }
    }
    if (t.mode() == DestinationRule.ClientTlsMode.MUTUAL && t.credentialName() == null) {
      if (t.clientCertificate() == null) {
        f.error(p + ".clientCertificate", "required for MUTUAL (or set credentialName)");
      }
      if (t.privateKey() == null) {
        f.error(p + ".privateKey", "required for MUTUAL (or set credentialName)");
      }
    }
  }
}
