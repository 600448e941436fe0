package dev.meshctl.crds.networking;

import dev.meshctl.crds.Inline;
import dev.meshctl.crds.JsonName;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.Common.Headers;
import dev.meshctl.crds.networking.Common.Percent;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@code networking.istio.io} VirtualService, field for field. Immutable; {@code
 * null} means absent; decoded lists and maps are never {@code null}.
 */
public record VirtualService(
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<TlsRoute> tls,
    List<TcpRoute> tcp,
    List<String> exportTo)
    implements NetworkingSpec {

  /** One HTTP rule ({@code HTTPRoute}). */
  public record HttpRoute(
      String name,
      List<HttpMatchRequest> match,
      List<HttpRouteDestination> route,
      HttpRedirect redirect,
      HttpDirectResponse directResponse,
      Delegate delegate,
      HttpRewrite rewrite,
      Duration timeout,
      HttpRetry retries,
      HttpFaultInjection fault,
      Destination mirror,
      List<HttpMirrorPolicy> mirrors,
      @Unsigned @JsonName(value = "mirrorPercent", aliases = "mirror_percent")
          Integer mirrorPercent,
      Percent mirrorPercentage,
      CorsPolicy corsPolicy,
      Headers headers) {}

  /** The conditions of an HTTP rule ({@code HTTPMatchRequest}); all must hold. */
  public record HttpMatchRequest(
      String name,
      StringMatch uri,
      StringMatch scheme,
      StringMatch method,
      StringMatch authority,
      Map<String, StringMatch> headers,
      @Unsigned Integer port,
      Map<String, String> sourceLabels,
      List<String> gateways,
      Map<String, StringMatch> queryParams,
      Boolean ignoreUriCase,
      Map<String, StringMatch> withoutHeaders,
      String sourceNamespace,
      String statPrefix) {}

  /** A weighted HTTP destination ({@code HTTPRouteDestination}). */
  public record HttpRouteDestination(
      @Required Destination destination, Integer weight, Headers headers) {}

  /** A weighted TCP/TLS destination ({@code RouteDestination}). */
  public record RouteDestination(@Required Destination destination, Integer weight) {}

  /**
   * An HTTP redirect ({@code HTTPRedirect}); the port is a oneof of {@code port}/{@code
   * derivePort}.
   */
  public record HttpRedirect(
      String uri,
      String authority,
      @Inline RedirectPort redirectPort,
      String scheme,
      @Unsigned Integer redirectCode,
      String prefixRewrite) {}

  /** The redirect port oneof. */
  public sealed interface RedirectPort permits Port, DerivePort {}

  /** An explicit redirect port. */
  public record Port(@Unsigned Integer port) implements RedirectPort {}

  /** A port derived from the request. */
  public record DerivePort(RedirectPortSelection derivePort) implements RedirectPort {}

  /** How {@code derivePort} picks the port. */
  public enum RedirectPortSelection {
    FROM_PROTOCOL_DEFAULT,
    FROM_REQUEST_PORT
  }

  /** A fixed response ({@code HTTPDirectResponse}). */
  public record HttpDirectResponse(@Required @Unsigned Integer status, HttpBody body) {}

  /** The body oneof of a direct response. */
  public sealed interface HttpBody permits StringBody, BytesBody {}

  /** A text body. */
  public record StringBody(String string) implements HttpBody {}

  /** A base64-encoded binary body (kept as written). */
  public record BytesBody(String bytes) implements HttpBody {}

  /** A delegation to another VirtualService ({@code Delegate}). */
  public record Delegate(String name, String namespace) {}

  /** A rewrite of path and authority ({@code HTTPRewrite}). */
  public record HttpRewrite(String uri, String authority, RegexRewrite uriRegexRewrite) {}

  /** A regex path rewrite ({@code RegexRewrite}). */
  public record RegexRewrite(String match, String rewrite) {}

  /** The retry policy ({@code HTTPRetry}). */
  public record HttpRetry(
      Integer attempts,
      Duration perTryTimeout,
      String retryOn,
      Boolean retryRemoteLocalities,
      Boolean retryIgnorePreviousHosts,
      Duration backoff) {}

  /** Fault injection ({@code HTTPFaultInjection}). */
  public record HttpFaultInjection(Delay delay, Abort abort) {}

  /** An injected delay; the delay kind is a oneof. */
  public record Delay(Integer percent, Percent percentage, @Inline DelayKind delayKind) {}

  /** The delay oneof. */
  public sealed interface DelayKind permits FixedDelay, ExponentialDelay {}

  /** A fixed delay. */
  public record FixedDelay(Duration fixedDelay) implements DelayKind {}

  /** An exponential delay (not implemented by Istio; parsed so it is not dropped). */
  public record ExponentialDelay(Duration exponentialDelay) implements DelayKind {}

  /** An injected abort; the error kind is a oneof. */
  public record Abort(Percent percentage, @Inline ErrorKind errorKind) {}

  /** The abort error oneof. */
  public sealed interface ErrorKind permits HttpStatus, GrpcStatus, Http2Error {}

  /** Abort with an HTTP status. */
  public record HttpStatus(Integer httpStatus) implements ErrorKind {}

  /** Abort with a gRPC status name ({@code UNAVAILABLE}) or number. */
  public record GrpcStatus(String grpcStatus) implements ErrorKind {}

  /** Abort with an HTTP/2 error (not implemented by Istio; parsed so it is not dropped). */
  public record Http2Error(String http2Error) implements ErrorKind {}

  /** A mirror target with its own percentage ({@code HTTPMirrorPolicy}). */
  public record HttpMirrorPolicy(@Required Destination destination, Percent percentage) {}

  /** CORS policy ({@code CorsPolicy}). {@code allowOrigin} is the deprecated exact-only list. */
  public record CorsPolicy(
      List<String> allowOrigin,
      List<StringMatch> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Duration maxAge,
      Boolean allowCredentials,
      UnmatchedPreflights unmatchedPreflights) {}

  /** What to do with preflight requests that match no origin. */
  public enum UnmatchedPreflights {
    UNSPECIFIED,
    FORWARD,
    IGNORE
  }

  /** A TLS (SNI) rule ({@code TLSRoute}). */
  public record TlsRoute(@Required List<TlsMatchAttributes> match, List<RouteDestination> route) {}

  /** TLS match conditions ({@code TLSMatchAttributes}). */
  public record TlsMatchAttributes(
      @Required List<String> sniHosts,
      List<String> destinationSubnets,
      @Unsigned Integer port,
      Map<String, String> sourceLabels,
      List<String> gateways,
      String sourceNamespace) {}

  /** A TCP rule ({@code TCPRoute}). */
  public record TcpRoute(List<L4MatchAttributes> match, List<RouteDestination> route) {}

  /** L4 match conditions ({@code L4MatchAttributes}). */
  public record L4MatchAttributes(
      List<String> destinationSubnets,
      @Unsigned Integer port,
      String sourceSubnet,
      Map<String, String> sourceLabels,
      List<String> gateways,
      String sourceNamespace) {}
}
