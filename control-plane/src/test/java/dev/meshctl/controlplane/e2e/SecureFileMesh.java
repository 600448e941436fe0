package dev.meshctl.controlplane.e2e;

import com.google.protobuf.Any;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.security.SecuritySettings;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Shared set-up of the end-to-end tests that need the secure side without a cluster: a real {@link
 * ControlPlane} on a config directory with the CA in {@code caDir}, the secure xDS/CA port, and
 * callers authenticated by a dev token file ({@code <token> <namespace> <serviceAccount>} per
 * line). Static helpers only; any thread.
 */
final class SecureFileMesh {
  private SecureFileMesh() {}

  /** Starts the control plane on ephemeral ports with fast debouncing. Close it. */
  static ControlPlane start(Path config, Path caDir, Path tokens) throws IOException {
    return ControlPlane.start(
        new ControlPlane.Settings(
            Optional.of(config),
            0,
            0,
            new PushLoop.Settings(Duration.ofMillis(10), Duration.ofSeconds(1)),
            Optional.empty(),
            Optional.of(
                new SecuritySettings(
                    Optional.of(caDir),
                    "cluster.local",
                    "istio-system",
                    0,
                    0,
                    Optional.empty(),
                    Optional.of(tokens)))),
        AdsXdsFrontend.factory(Clock.systemUTC()),
        Clock.systemUTC());
  }

  /** The SDS resources of a response by name. */
  static Map<String, Secret> secrets(DiscoveryResponse r) throws Exception {
    Map<String, Secret> out = new TreeMap<>();
    for (Any a : r.getResourcesList()) {
      Secret s = a.unpack(Secret.class);
      out.put(s.getName(), s);
    }
    return out;
  }

  /** Base64 of a UTF-8 string, for Secret {@code data} in test YAML. */
  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
