package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.store.CaSource;
import dev.meshctl.ca.store.CaStore;
import dev.meshctl.ca.store.DirectoryCaSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CA key material in Secrets, against the fabric8 CRUD mock API server: created once, reloaded
 * unchanged, never overwritten; a plugged-in {@code cacerts} wins; a create conflict re-reads.
 */
@EnableKubernetesMockClient(crud = true)
class SecretCaSourceTest {
  private static final String NS = "istio-system";

  KubernetesClient client;

  private CaKeyMaterial load() {
    return SecureServing.loadOrCreate(
        new SecretCaSource(client, NS), "cluster.local", Clock.systemUTC(), new SecureRandom());
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace(NS).withName(name).get();
  }

  @Test
  void firstStartCreatesIstioCaSecretAndTheSecondLoadsItUnchanged() {
    CaKeyMaterial first = load();
    Secret created = secret("istio-ca-secret");
    assertThat(created.getType()).isEqualTo("istio.io/ca-root");
    assertThat(created.getData()).containsOnlyKeys("ca-key.pem", "ca-cert.pem");
    String version = created.getMetadata().getResourceVersion();

    CaKeyMaterial second = load();

    assertThat(second.anchor()).isEqualTo(first.anchor());
    assertThat(second.kind()).isEqualTo(CaKeyMaterial.Kind.SELF_SIGNED);
    assertThat(secret("istio-ca-secret").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void emptyValuesAsIstioWritesThemCountAsAbsent() throws Exception {
    load();
    Secret s = secret("istio-ca-secret");
    Map<String, String> data = new LinkedHashMap<>(s.getData());
    data.put("cert-chain.pem", "");
    data.put("root-cert.pem", "");
    client.secrets().inNamespace(NS).resource(new SecretBuilder(s).withData(data).build()).update();

    assertThat(new SecretCaSource(client, NS).read()).containsOnlyKeys("ca-key.pem", "ca-cert.pem");
  }

  @Test
  void aPluggedInCacertsSecretWinsAndIsNeverWritten(@TempDir Path dir) throws Exception {
    // An operator's CA: a root made elsewhere, given in Istio's cacerts layout.
    CaKeyMaterial operator =
        SecureServing.loadOrCreate(
            new DirectoryCaSource(dir), "plugged.example", Clock.systemUTC(), new SecureRandom());
    byte[] cert = Files.readAllBytes(dir.resolve("ca-cert.pem"));
    Map<String, String> data = new LinkedHashMap<>();
    data.put("ca-cert.pem", b64(cert));
    data.put("ca-key.pem", b64(Files.readAllBytes(dir.resolve("ca-key.pem"))));
    data.put("root-cert.pem", b64(cert));
    data.put("cert-chain.pem", b64(cert));
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("cacerts")
                .endMetadata()
                .withData(data)
                .build())
        .create();
    String version = secret("cacerts").getMetadata().getResourceVersion();

    CaKeyMaterial loaded = load();

    assertThat(loaded.kind()).isEqualTo(CaKeyMaterial.Kind.PLUGGED_IN);
    assertThat(loaded.anchor()).isEqualTo(operator.anchor());
    assertThat(secret("istio-ca-secret")).isNull();
    assertThat(secret("cacerts").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void createConflictFailsAsAlreadyExistsSoTheCallerRereads() {
    load();
    LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("ca-key.pem", "x".getBytes(StandardCharsets.US_ASCII));
    String before = secret("istio-ca-secret").getData().get("ca-key.pem");

    assertThatThrownBy(() -> new SecretCaSource(client, NS).createAll(entries))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessage("istio-system/istio-ca-secret");
    assertThat(secret("istio-ca-secret").getData().get("ca-key.pem")).isEqualTo(before);
    assertThat(Base64.getDecoder().decode(before)).isNotEqualTo(entries.get("ca-key.pem"));
  }

  @Test
  void whenAnotherInstanceCreatesFirstItsRootIsLoadedNotOverwritten() {
    CaKeyMaterial winner = load();
    SecretCaSource real = new SecretCaSource(client, NS);
    AtomicBoolean raceLost = new AtomicBoolean(true);
    // Our first read happens before the other instance's create lands.
    CaSource racing =
        new CaSource() {
          @Override
          public String location() {
            return real.location();
          }

          @Override
          public Map<String, byte[]> read() throws java.io.IOException {
            return raceLost.getAndSet(false) ? Map.of() : real.read();
          }

          @Override
          public void createAll(LinkedHashMap<String, byte[]> entries) throws java.io.IOException {
            real.createAll(entries);
          }
        };

    CaKeyMaterial loaded =
        SecureServing.loadOrCreate(racing, "cluster.local", Clock.systemUTC(), new SecureRandom());

    assertThat(loaded.anchor()).isEqualTo(winner.anchor());
  }

  @Test
  void rotationAddsTheNewGenerationToIstioCaSecretKeepingTheOldValues() throws Exception {
    CaKeyMaterial first = load();
    Map<String, String> before = new LinkedHashMap<>(secret("istio-ca-secret").getData());
    CaStore store =
        new CaStore(
            "cluster.local",
            CaStore.DEFAULT_SELF_SIGNED_TTL,
            Clock.systemUTC(),
            new SecureRandom());

    CaKeyMaterial rotated = store.rotate(new SecretCaSource(client, NS));

    Map<String, String> after = secret("istio-ca-secret").getData();
    assertThat(after)
        .containsOnlyKeys("ca-key.pem", "ca-cert.pem", "gen2-ca-key.pem", "gen2-ca-cert.pem");
    assertThat(after).containsAllEntriesOf(before);
    assertThat(rotated.anchor()).isNotEqualTo(first.anchor());
    CaKeyMaterial reloaded = load();
    assertThat(reloaded.anchor()).isEqualTo(rotated.anchor());
    assertThat(reloaded.roots()).containsExactly(rotated.anchor(), first.anchor());
    // Writing a generation that is already there is refused, as for the first create.
    LinkedHashMap<String, byte[]> again = new LinkedHashMap<>();
    again.put("gen2-ca-key.pem", "x".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> new SecretCaSource(client, NS).createAll(again))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessage("istio-system/istio-ca-secret");
    assertThat(secret("istio-ca-secret").getData()).isEqualTo(after);
  }
}
