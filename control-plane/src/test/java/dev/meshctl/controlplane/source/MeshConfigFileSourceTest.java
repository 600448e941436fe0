package dev.meshctl.controlplane.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.MeshConfig;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshConfigFileSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final ConfigStore store = new ConfigStore();
  private final List<ConfigChange> changes = new CopyOnWriteArrayList<>();
  private MeshConfigFileSource source;

  MeshConfigFileSourceTest() {
    store.listen(changes::add);
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
  }

  private MeshConfigFileSource start(Path file) throws Exception {
    source =
        new MeshConfigFileSource(
            file,
            store,
            r -> {
              Thread t = new Thread(r, "mesh-config-test");
              t.setDaemon(true);
              return t;
            });
    source.start();
    return source;
  }

  /**
   * Replaces the file atomically (a new file renamed over it, as a ConfigMap mount's swap does), so
   * the watcher never reads a half-written file.
   */
  private void write(Path file, String text) throws Exception {
    Path tmp = dir.resolve(".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private MeshConfig stored() {
    return (MeshConfig) store.get(MeshConfig.KEY).orElseThrow();
  }

  @Test
  void theFileIsLoadedAndAChangeReplacesItWhileABadOneKeepsTheLastGood() throws Exception {
    Path file = dir.resolve("mesh");
    Files.writeString(file, "outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n");
    start(file);
    assertThat(stored().outboundTrafficPolicy())
        .isEqualTo(MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY);
    assertThat(source.diagnostics()).isEmpty();

    write(file, "outboundTrafficPolicy: {mode: ALLOW_ANY}\nconnectTimeout: 2s\n");
    await().atMost(WAIT).until(() -> stored().connectTimeout().equals(Duration.ofSeconds(2)));
    assertThat(stored().outboundTrafficPolicy())
        .isEqualTo(MeshConfig.OutboundTrafficPolicy.ALLOW_ANY);

    int before = changes.size();
    write(file, "outboundTrafficPolicy: {mode: SOMETIMES}\n");
    await().atMost(WAIT).until(() -> !source.diagnostics().isEmpty());
    assertThat(source.diagnostics())
        .containsExactly(
            file.toAbsolutePath()
                + ": mesh config: outboundTrafficPolicy.mode: unknown value \"SOMETIMES\" (want"
                + " ALLOW_ANY or REGISTRY_ONLY)");
    assertThat(stored().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(changes).hasSize(before);

    write(file, "enableAutoMtls: false\n");
    await().atMost(WAIT).until(() -> !stored().enableAutoMtls());
    assertThat(source.diagnostics()).isEmpty();
    assertThat(stored().connectTimeout()).isEqualTo(MeshConfig.DEFAULT.connectTimeout());
  }

  @Test
  void aMissingFileFailsStartNamingIt() {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> start(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(missing + ": mesh config file does not exist");
  }
}
