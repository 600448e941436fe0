package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxyless grpc-java client reaches backends declared only by a ServiceEntry (no Kubernetes
 * Service, no EndpointSlice): STATIC endpoints with a port map become EDS endpoints, and the
 * entry's host is dialled as written ({@code xds:///legacy.example.internal:7070}).
 */
class ServiceEntryGrpcTest {
  @TempDir Path dir;
  private GrpcMesh mesh;
  private Server vm1;
  private Server vm2;

  @BeforeEach
  void setUp() throws IOException {
    mesh = new GrpcMesh(dir);
    vm1 = GrpcMesh.nameServer("vm-1");
    vm2 = GrpcMesh.nameServer("vm-2");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    mesh.close();
    vm1.shutdownNow().awaitTermination();
    vm2.shutdownNow().awaitTermination();
  }

  @Test
  void clientReachesEveryStaticEndpointOfAServiceEntry() throws IOException {
    mesh.write(
        "se.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: legacy, namespace: default}
        spec:
          hosts: [legacy.example.internal]
          ports: [{number: 7070, name: grpc, protocol: GRPC}]
          location: MESH_INTERNAL
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, ports: {grpc: %d}}
          - {address: 127.0.0.1, ports: {grpc: %d}}
        """
            .formatted(vm1.getPort(), vm2.getPort()));
    mesh.start();
    assertThat(mesh.diagnostics()).isEmpty();
    ManagedChannel client = mesh.client(Map.of(), "legacy.example.internal:7070");

    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 40; i++) {
      seen.add(GrpcMesh.who(client));
    }
    // Round robin over two endpoints: 40 calls reach both.
    assertThat(seen).containsExactly("vm-1", "vm-2");
  }
}
