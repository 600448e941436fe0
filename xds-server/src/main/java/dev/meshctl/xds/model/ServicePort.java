package dev.meshctl.xds.model;

import java.util.Objects;

/**
 * One port of a Kubernetes Service.
 *
 * @param name the port name ({@code ""} when the Service has a single unnamed port)
 * @param port the service port
 * @param targetPort the numeric target port, or 0 when the target is named ({@link
 *     #targetPortName})
 * @param targetPortName the named target port, or {@code ""} when numeric
 * @param transport {@code TCP}, {@code UDP} or {@code SCTP}
 * @param appProtocol the {@code appProtocol} field, or {@code ""}
 */
public record ServicePort(
    String name,
    int port,
    int targetPort,
    String targetPortName,
    String transport,
    String appProtocol) {

  public ServicePort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(targetPortName, "targetPortName");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(appProtocol, "appProtocol");
  }

  /** A TCP port whose target is the same number, for tests and samples. */
  public static ServicePort of(String name, int port) {
    return new ServicePort(name, port, port, "", "TCP", "");
  }

  public Protocol protocol() {
    return Protocol.ofServicePort(name, appProtocol, transport);
  }
}
