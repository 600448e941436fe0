package dev.meshctl.crds.networking;

import dev.meshctl.crds.Inline;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@code networking.istio.io} WorkloadGroup: the template from which WorkloadEntries
 * are made for VMs that register themselves, and how their readiness is probed. Immutable; {@code
 * null} means absent; decoded lists and maps are never {@code null}.
 */
public record WorkloadGroup(
    ObjectMeta metadata, @Required WorkloadEntry template, ReadinessProbe probe)
    implements NetworkingSpec {

  /** Labels and annotations copied onto every generated WorkloadEntry. */
  public record ObjectMeta(Map<String, String> labels, Map<String, String> annotations) {}

  /** How the agent on the VM checks readiness; exactly one check method may be set. */
  public record ReadinessProbe(
      Integer initialDelaySeconds,
      Integer timeoutSeconds,
      Integer periodSeconds,
      Integer successThreshold,
      Integer failureThreshold,
      @Inline HealthCheck check) {}

  /** The probe's check method ({@code health_check_method} oneof). */
  public sealed interface HealthCheck permits HttpGetCheck, TcpSocketCheck, ExecCheck, GrpcCheck {}

  /** {@code httpGet}. */
  public record HttpGetCheck(HttpHealthCheckConfig httpGet) implements HealthCheck {}

  /** {@code tcpSocket}. */
  public record TcpSocketCheck(TcpHealthCheckConfig tcpSocket) implements HealthCheck {}

  /** {@code exec}. */
  public record ExecCheck(ExecHealthCheckConfig exec) implements HealthCheck {}

  /** {@code grpc}. */
  public record GrpcCheck(GrpcHealthCheckConfig grpc) implements HealthCheck {}

  /** An HTTP GET; {@code scheme} is {@code HTTP} or {@code HTTPS}. */
  public record HttpHealthCheckConfig(
      String path,
      @Required @Unsigned Integer port,
      String host,
      String scheme,
      List<HttpHeader> httpHeaders) {}

  /** A header sent with the HTTP probe. */
  public record HttpHeader(String name, String value) {}

  /** A TCP connect. */
  public record TcpHealthCheckConfig(String host, @Required @Unsigned Integer port) {}

  /** A command run on the VM; exit status 0 is healthy. */
  public record ExecHealthCheckConfig(@Required List<String> command) {}

  /** A gRPC health check ({@code grpc.health.v1}). */
  public record GrpcHealthCheckConfig(@Unsigned Integer port, String service) {}
}
