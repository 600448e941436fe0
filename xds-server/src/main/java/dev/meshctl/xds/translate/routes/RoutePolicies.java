package dev.meshctl.xds.translate.routes;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.meshctl.crds.networking.Common.HeaderOperations;
import dev.meshctl.crds.networking.Common.Percent;
import dev.meshctl.crds.networking.StringMatch;
import dev.meshctl.crds.networking.VirtualService.Abort;
import dev.meshctl.crds.networking.VirtualService.CorsPolicy;
import dev.meshctl.crds.networking.VirtualService.Delay;
import dev.meshctl.crds.networking.VirtualService.FixedDelay;
import dev.meshctl.crds.networking.VirtualService.GrpcStatus;
import dev.meshctl.crds.networking.VirtualService.HttpFaultInjection;
import dev.meshctl.crds.networking.VirtualService.HttpRetry;
import dev.meshctl.crds.networking.VirtualService.HttpStatus;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.policy.Protos;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.Builder;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The per-route policies of a VirtualService HTTP rule: retries, fault injection, CORS and header
 * edits, as Istio translates them (route/retry/retry.go, route.go). Pure; any thread.
 */
public final class RoutePolicies {
  /** Istio's default retry conditions (route/retry/retry.go). */
  public static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  private static final String PREVIOUS_PRIORITIES = "envoy.retry_priorities.previous_priorities";

  private RoutePolicies() {}

  /** Istio's policy for routes without {@code retries}: 2 retries on connection-level failures. */
  public static RetryPolicy defaultRetryPolicy() {
    return withPreviousHosts(
            RetryPolicy.newBuilder().setRetryOn(DEFAULT_RETRY_ON).setNumRetries(UInt32Value.of(2)))
        .build();
  }

  /**
   * The retry policy of an Envoy route whose rule sets no {@code retries}: the mesh config's {@code
   * defaultHttpRetryPolicy} when set (none when its attempts are 0), else Istio's default; a route
   * that hashes to pick its endpoint does not avoid the previous host (retries stay sticky).
   */
  public static Optional<RetryPolicy> meshDefault(MeshConfig mesh, boolean hashed) {
    HttpRetry configured = mesh.defaults().defaultHttpRetryPolicy();
    if (configured != null) {
      return convert(configured, false, hashed);
    }
    RetryPolicy p = defaultRetryPolicy();
    return Optional.of(hashed ? withoutPreviousHosts(p) : p);
  }

  private static RetryPolicy withoutPreviousHosts(RetryPolicy p) {
    return p.toBuilder().clearRetryHostPredicate().build();
  }

  /**
   * The retry policy of a rule: the default when {@code retries} is absent (Envoy only: grpc has no
   * default), none when {@code attempts} is 0 or unset, else attempts, conditions ({@code retryOn};
   * numeric entries become retriable status codes), per-try timeout, backoff, retrying other
   * localities, and avoiding the previous host unless {@code retryIgnorePreviousHosts: false}.
   */
  static Optional<RetryPolicy> retries(HttpRetry r, RouteContext ctx, boolean hashed) {
    if (r == null) {
      return ctx.grpc() ? Optional.empty() : meshDefault(ctx.snapshot().mesh(), hashed);
    }
    return convert(r, ctx.grpc(), hashed);
  }

  private static Optional<RetryPolicy> convert(HttpRetry r, boolean grpc, boolean hashed) {
    if (r.attempts() == null || r.attempts() <= 0) {
      return Optional.empty();
    }
    RetryPolicy.Builder p = RetryPolicy.newBuilder().setNumRetries(UInt32Value.of(r.attempts()));
    String retryOn = r.retryOn() == null || r.retryOn().isBlank() ? DEFAULT_RETRY_ON : r.retryOn();
    List<String> conditions = new ArrayList<>();
    for (String token : retryOn.split(",")) {
      String t = token.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.chars().allMatch(Character::isDigit)) {
        p.addRetriableStatusCodes(Integer.parseInt(t));
      } else if (!conditions.contains(t)) {
        conditions.add(t);
      }
    }
    if (p.getRetriableStatusCodesCount() > 0 && !conditions.contains("retriable-status-codes")) {
      conditions.add("retriable-status-codes");
    }
    p.setRetryOn(String.join(",", conditions));
    if (r.perTryTimeout() != null) {
      p.setPerTryTimeout(Protos.duration(r.perTryTimeout()));
    }
    if (r.backoff() != null) {
      p.setRetryBackOff(
          RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Protos.duration(r.backoff())));
    }
    if (!grpc) {
      if (Boolean.TRUE.equals(r.retryRemoteLocalities())) {
        p.setRetryPriority(
            RetryPolicy.RetryPriority.newBuilder()
                .setName(PREVIOUS_PRIORITIES)
                .setTypedConfig(
                    Any.pack(PreviousPrioritiesConfig.newBuilder().setUpdateFrequency(2).build())));
      }
      // Unset: avoid the previous host, except on hashed routes (retries stay sticky there).
      boolean avoidPrevious =
          r.retryIgnorePreviousHosts() == null ? !hashed : r.retryIgnorePreviousHosts();
      if (avoidPrevious) {
        withPreviousHosts(p);
      } else {
        p.setHostSelectionRetryMaxAttempts(5);
      }
    }
    return Optional.of(p.build());
  }

  private static RetryPolicy.Builder withPreviousHosts(RetryPolicy.Builder p) {
    return p.addRetryHostPredicate(
            RetryPolicy.RetryHostPredicate.newBuilder()
                .setName(TypedConfigs.PREVIOUS_HOSTS)
                .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())))
        .setHostSelectionRetryMaxAttempts(5);
  }

  /**
   * The per-route config of the fault filter, or empty. Only a fixed delay and an HTTP or gRPC
   * abort exist in Istio; a missing percentage means 100%.
   */
  static Optional<HTTPFault> fault(HttpFaultInjection f) {
    if (f == null || (f.delay() == null && f.abort() == null)) {
      return Optional.empty();
    }
    HTTPFault.Builder out = HTTPFault.newBuilder();
    Delay d = f.delay();
    if (d != null && d.delayKind() instanceof FixedDelay fixed && fixed.fixedDelay() != null) {
      double pct =
          d.percentage() != null && d.percentage().value() != null
              ? d.percentage().value()
              : d.percent() != null ? d.percent() : 100;
      out.setDelay(
          FaultDelay.newBuilder()
              .setFixedDelay(Protos.duration(fixed.fixedDelay()))
              .setPercentage(Protos.perMillion(pct)));
    }
    Abort a = f.abort();
    if (a != null) {
      FaultAbort.Builder ab = FaultAbort.newBuilder().setPercentage(percentOrAll(a.percentage()));
      if (a.errorKind() instanceof HttpStatus h && h.httpStatus() != null) {
        out.setAbort(ab.setHttpStatus(h.httpStatus()));
      } else if (a.errorKind() instanceof GrpcStatus g && g.grpcStatus() != null) {
        grpcCode(g.grpcStatus()).ifPresent(code -> out.setAbort(ab.setGrpcStatus(code)));
      }
    }
    if (!out.hasDelay() && !out.hasAbort()) {
      return Optional.empty();
    }
    return Optional.of(out.build());
  }

  /** A gRPC status by name ({@code UNAVAILABLE}) or number ({@code 14}). */
  static Optional<Integer> grpcCode(String status) {
    String s = status.trim().toUpperCase(Locale.ROOT);
    int i = dev.meshctl.crds.networking.GrpcStatus.NAMES.indexOf(s);
    if (i >= 0) {
      return Optional.of(i);
    }
    try {
      int n = Integer.parseInt(s);
      return n >= 0 && n < dev.meshctl.crds.networking.GrpcStatus.NAMES.size()
          ? Optional.of(n)
          : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static FractionalPercent percentOrAll(Percent p) {
    return Protos.perMillion(p == null || p.value() == null ? 100 : p.value());
  }

  /** The per-route CORS filter config (Envoy only). */
  static io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy cors(CorsPolicy c) {
    Builder b = io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder();
    if (c.allowOrigin() != null) {
      for (String o : c.allowOrigin()) {
        b.addAllowOriginStringMatch(
            io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder().setExact(o));
      }
    }
    if (c.allowOrigins() != null) {
      for (StringMatch m : c.allowOrigins()) {
        HttpMatches.stringMatcher(m).ifPresent(b::addAllowOriginStringMatch);
      }
    }
    if (c.allowMethods() != null && !c.allowMethods().isEmpty()) {
      b.setAllowMethods(String.join(",", c.allowMethods()));
    }
    if (c.allowHeaders() != null && !c.allowHeaders().isEmpty()) {
      b.setAllowHeaders(String.join(",", c.allowHeaders()));
    }
    if (c.exposeHeaders() != null && !c.exposeHeaders().isEmpty()) {
      b.setExposeHeaders(String.join(",", c.exposeHeaders()));
    }
    if (c.maxAge() != null) {
      b.setMaxAge(Long.toString(c.maxAge().getSeconds()));
    }
    if (c.allowCredentials() != null) {
      b.setAllowCredentials(BoolValue.of(c.allowCredentials()));
    }
    if (c.unmatchedPreflights() != null) {
      switch (c.unmatchedPreflights()) {
        case FORWARD -> b.setForwardNotMatchingPreflights(BoolValue.of(true));
        case IGNORE -> b.setForwardNotMatchingPreflights(BoolValue.of(false));
        case UNSPECIFIED -> {}
      }
    }
    b.setFilterEnabled(
        RuntimeFractionalPercent.newBuilder().setDefaultValue(Protos.perMillion(100)));
    return b.build();
  }

  /** Header edits: {@code set} overwrites, {@code add} appends; in name order. */
  static List<HeaderValueOption> headersToAdd(HeaderOperations ops) {
    List<HeaderValueOption> out = new ArrayList<>();
    if (ops == null) {
      return out;
    }
    for (Map.Entry<String, String> e : sorted(ops.set()).entrySet()) {
      out.add(option(e, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    }
    for (Map.Entry<String, String> e : sorted(ops.add()).entrySet()) {
      out.add(option(e, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    }
    return out;
  }

  /** Header names to remove, in the order written. */
  static List<String> headersToRemove(HeaderOperations ops) {
    return ops == null || ops.remove() == null ? List.of() : ops.remove();
  }

  private static HeaderValueOption option(
      Map.Entry<String, String> e, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()))
        .setAppendAction(action)
        .build();
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return m == null ? Map.of() : new TreeMap<>(m);
  }
}
