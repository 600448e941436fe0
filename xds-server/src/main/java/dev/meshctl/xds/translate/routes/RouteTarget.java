package dev.meshctl.xds.translate.routes;

/**
 * Who consumes generated routes. Proxyless gRPC receives only what grpc implements (gRFC A28, A31,
 * A33, A42, A44): matches on path and headers, weighted and subset clusters, timeouts as {@code
 * max_stream_duration}, retries, faults and hash policies; no redirects, direct responses,
 * rewrites, header edits, mirrors, CORS or query-parameter matches.
 */
public enum RouteTarget {
  ENVOY,
  GRPC
}
