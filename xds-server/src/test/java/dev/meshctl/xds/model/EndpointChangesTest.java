package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import org.junit.jupiter.api.Test;

/**
 * Which endpoint-only changes stay endpoint-only: outbound mTLS clusters verify the service
 * accounts behind a service, so a change of that set needs a full push, while a new pod of a known
 * service account does not.
 */
class EndpointChangesTest {
  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: app}
      spec:
        clusterIP: 10.96.9.1
        ports:
        - {name: http, port: 80}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: api-a, namespace: app}
      spec: {serviceAccountName: api}
      status: {podIP: 10.9.1.1}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: api-b, namespace: app}
      spec: {serviceAccountName: api}
      status: {podIP: 10.9.1.2}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: api-c, namespace: app}
      spec: {serviceAccountName: api-canary}
      status: {podIP: 10.9.1.3}
      """;

  private static MeshSnapshot withPods(String... pods) {
    StringBuilder endpoints = new StringBuilder();
    for (String p : pods) {
      endpoints
          .append("- addresses: [\"")
          .append(p.equals("api-a") ? "10.9.1.1" : p.equals("api-b") ? "10.9.1.2" : "10.9.1.3")
          .append("\"]\n  targetRef: {kind: Pod, name: ")
          .append(p)
          .append("}\n");
    }
    String slice =
        """
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: api-1
          namespace: app
          labels: {kubernetes.io/service-name: api}
        addressType: IPv4
        ports:
        - {name: http, port: 80}
        endpoints:
        """
            + endpoints;
    return MeshSnapshot.build(MeshConfig.DEFAULT, MeshFixture.objects(SERVICE + slice, "test"));
  }

  @Test
  void aPodOfAKnownServiceAccountIsEndpointOnly() {
    EndpointChanges c = EndpointChanges.between(withPods("api-a"), withPods("api-a", "api-b"));
    assertThat(c.identitiesChanged()).isFalse();
    assertThat(c.fullPushNeeded()).isFalse();
    assertThat(c.changedAddresses()).containsExactly("10.9.1.2");
  }

  @Test
  void aNewOrVanishedServiceAccountNeedsAFullPush() {
    EndpointChanges added = EndpointChanges.between(withPods("api-a"), withPods("api-a", "api-c"));
    assertThat(added.identitiesChanged()).isTrue();
    assertThat(added.headlessChanged()).isFalse();
    assertThat(added.fullPushNeeded()).isTrue();
    assertThat(
            EndpointChanges.between(withPods("api-a", "api-c"), withPods("api-a")).fullPushNeeded())
        .isTrue();
  }
}
