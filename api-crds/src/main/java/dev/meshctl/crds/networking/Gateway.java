package dev.meshctl.crds.networking;

import dev.meshctl.crds.Required;
import dev.meshctl.crds.networking.Common.Port;
import dev.meshctl.crds.networking.Common.ServerTlsSettings;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@code networking.istio.io} Gateway. Immutable; {@code null} means absent; decoded
 * lists and maps are never {@code null}.
 */
public record Gateway(List<Server> servers, Map<String, String> selector)
    implements NetworkingSpec {

  /** One listener of the gateway ({@code Server}). */
  public record Server(
      @Required Port port,
      String bind,
      @Required List<String> hosts,
      ServerTlsSettings tls,
      String defaultEndpoint,
      String name) {}
}
