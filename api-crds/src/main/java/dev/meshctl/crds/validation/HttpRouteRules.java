package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.decode.Paths;
import dev.meshctl.crds.networking.Common.HeaderOperations;
import dev.meshctl.crds.networking.Common.Headers;
import dev.meshctl.crds.networking.GrpcStatus;
import dev.meshctl.crds.networking.VirtualService;
import java.util.Base64;
import java.util.Set;

/** Rules for the parts of an HTTP route (redirect, retries, fault, CORS, headers). Stateless. */
final class HttpRouteRules {
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT");

  private HttpRouteRules() {}

  static void redirect(Findings f, String p, VirtualService.HttpRedirect r) {
    if (r == null) {
      return;
    }
    if (r.uri() == null
        && r.authority() == null
        && r.redirectPort() == null
        && r.scheme() == null
        && r.prefixRewrite() == null) {
      f.error(p, "redirect must set at least one of uri, authority, port, scheme");
    }
    if (r.redirectPort() instanceof VirtualService.Port port) {
      Rules.port(f, p + ".port", port.port());
    }
    if (r.redirectCode() != null && (r.redirectCode() < 300 || r.redirectCode() > 399)) {
      f.error(p + ".redirectCode", "must be a 3xx status code, got " + r.redirectCode());
    }
  }

  static void directResponse(Findings f, String p, VirtualService.HttpDirectResponse d) {
    if (d == null) {
      return;
    }
    if (d.status() == null || d.status() < 200 || d.status() > 599) {
      f.error(p + ".status", "must be in 200..599, got " + d.status());
    }
    if (d.body() instanceof VirtualService.BytesBody b) {
      try {
        Base64.getDecoder().decode(b.bytes());
      } catch (IllegalArgumentException e) {
        f.error(p + ".body.bytes", "invalid base64 " + q(b.bytes()));
      }
    }
  }

  static void rewrite(Findings f, String p, VirtualService.HttpRewrite r) {
    if (r == null) {
      return;
    }
    if (r.uri() == null && r.authority() == null && r.uriRegexRewrite() == null) {
      f.error(p, "rewrite must set at least one of uri, authority, uriRegexRewrite");
    }
    if (r.uri() != null && r.uriRegexRewrite() != null) {
      f.error(p, "uri and uriRegexRewrite must not both be set");
    }
    if (r.uriRegexRewrite() != null) {
      if (r.uriRegexRewrite().match() == null) {
        f.error(p + ".uriRegexRewrite.match", "required");
      }
      if (r.uriRegexRewrite().rewrite() == null) {
        f.error(p + ".uriRegexRewrite.rewrite", "required");
      }
      Rules.regex(f, p + ".uriRegexRewrite.match", r.uriRegexRewrite().match());
    }
  }

  static void retries(Findings f, String p, VirtualService.HttpRetry r, Set<String> retryOn) {
    if (r == null) {
      return;
    }
    int attempts = r.attempts() == null ? 0 : r.attempts();
    if (attempts < 0) {
      f.error(p + ".attempts", "must be >= 0, got " + attempts);
    }
    if (attempts == 0
        && (r.perTryTimeout() != null
            || r.retryOn() != null
            || r.retryRemoteLocalities() != null)) {
      f.error(p, "retry policy is set but attempts is 0 (retries disabled)");
    }
    Rules.duration(f, p + ".perTryTimeout", r.perTryTimeout());
    Rules.duration(f, p + ".backoff", r.backoff());
    if (r.retryOn() != null) {
      for (String policy : r.retryOn().split(",", -1)) {
        boolean status = policy.matches("[1-5][0-9][0-9]");
        if (!status && !retryOn.contains(policy)) {
          f.error(p + ".retryOn", q(policy) + " is not a valid retryOn policy");
        }
      }
    }
  }

  static void fault(Findings f, String p, VirtualService.HttpFaultInjection fault) {
    if (fault == null) {
      return;
    }
    if (fault.delay() == null && fault.abort() == null) {
      f.error(p, "fault must have delay or abort");
    }
    var delay = fault.delay();
    if (delay != null) {
      Rules.intPercent(f, p + ".delay.percent", delay.percent());
      Rules.percent(f, p + ".delay.percentage", delay.percentage());
      if (delay.delayKind() == null) {
        f.error(p + ".delay", "fixedDelay is required");
      } else if (delay.delayKind() instanceof VirtualService.FixedDelay d) {
        Rules.duration(f, p + ".delay.fixedDelay", d.fixedDelay());
      } else if (delay.delayKind() instanceof VirtualService.ExponentialDelay d) {
        Rules.duration(f, p + ".delay.exponentialDelay", d.exponentialDelay());
        f.error(p + ".delay.exponentialDelay", "not supported");
      }
    }
    var abort = fault.abort();
    if (abort != null) {
      Rules.percent(f, p + ".abort.percentage", abort.percentage());
      if (abort.errorKind() == null) {
        f.error(p + ".abort", "one of httpStatus, grpcStatus is required");
      } else if (abort.errorKind() instanceof VirtualService.HttpStatus s) {
        if (s.httpStatus() < 200 || s.httpStatus() > 599) {
          f.error(p + ".abort.httpStatus", "must be in 200..599, got " + s.httpStatus());
        }
      } else if (abort.errorKind() instanceof VirtualService.GrpcStatus s) {
        if (!GrpcStatus.NAMES.contains(s.grpcStatus())) {
          f.error(p + ".abort.grpcStatus", "unknown gRPC status " + q(s.grpcStatus()));
        }
      } else if (abort.errorKind() instanceof VirtualService.Http2Error) {
        f.error(p + ".abort.http2Error", "not supported");
      }
    }
  }

  static void cors(Findings f, String p, VirtualService.CorsPolicy c) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.allowOrigins().size(); i++) {
      var m = c.allowOrigins().get(i);
      if (m instanceof dev.meshctl.crds.networking.StringMatch.Empty) {
        f.error(p + ".allowOrigins[" + i + "]", "one of exact, prefix, regex is required");
      }
      Rules.stringMatch(f, p + ".allowOrigins[" + i + "]", m);
    }
    for (int i = 0; i < c.allowMethods().size(); i++) {
      if (!METHODS.contains(c.allowMethods().get(i))) {
        f.error(
            p + ".allowMethods[" + i + "]", "unknown HTTP method " + q(c.allowMethods().get(i)));
      }
    }
    for (int i = 0; i < c.allowHeaders().size(); i++) {
      headerName(f, p + ".allowHeaders[" + i + "]", c.allowHeaders().get(i));
    }
    for (int i = 0; i < c.exposeHeaders().size(); i++) {
      headerName(f, p + ".exposeHeaders[" + i + "]", c.exposeHeaders().get(i));
    }
    if (c.maxAge() != null) {
      Rules.duration(f, p + ".maxAge", c.maxAge());
      if (c.maxAge().getNano() != 0) {
        f.error(
            p + ".maxAge",
            "must be a whole number of seconds, got "
                + dev.meshctl.crds.IstioDuration.format(c.maxAge()));
      }
    }
  }

  static void headers(Findings f, String p, Headers h) {
    if (h == null) {
      return;
    }
    ops(f, p + ".request", h.request());
    ops(f, p + ".response", h.response());
  }

  private static void ops(Findings f, String p, HeaderOperations o) {
    if (o == null) {
      return;
    }
    o.set().forEach((k, v) -> header(f, Paths.child(p + ".set", k), k, v));
    o.add().forEach((k, v) -> header(f, Paths.child(p + ".add", k), k, v));
    for (int i = 0; i < o.remove().size(); i++) {
      headerName(f, p + ".remove[" + i + "]", o.remove().get(i));
    }
  }

  private static void header(Findings f, String p, String name, String value) {
    boolean authority = name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
    if (!authority) {
      headerName(f, p, name);
    }
    if (value.contains("\n") || value.contains("\r") || value.contains("\0")) {
      f.error(p, "header value must not contain CR, LF or NUL");
    }
  }

  private static void headerName(Findings f, String p, String name) {
    if (name.isEmpty() || !name.matches("[-!#$%&'*+.^_`|~0-9A-Za-z]+")) {
      f.error(p, "invalid header name " + q(name));
    }
  }
}
