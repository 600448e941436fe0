package dev.meshctl.xds.model.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes Secrets: base64 {@code data}, {@code stringData} winning per key, Istio's credential
 * keys, and no Secret value ever in a decode error, {@code toString} or the snapshot's text.
 */
class KubeDecoderSecretTest {
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY\n";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Decoded> decode(String yaml) {
    List<Decoded> out = new ArrayList<>();
    for (YamlDocuments.Document d : YamlDocuments.parse(yaml)) {
      out.addAll(KubeDecoder.decode(d.node()));
    }
    return out;
  }

  private static Secret only(String yaml) {
    List<Decoded> d = decode(yaml);
    assertThat(d).hasSize(1);
    assertThat(d.get(0)).isInstanceOf(Decoded.Ok.class);
    return (Secret) ((Decoded.Ok) d.get(0)).object();
  }

  @Test
  void decodesTlsSecretWithStringDataOverridingData() {
    Secret s =
        only(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cred\n  namespace: gw\n"
                + "type: kubernetes.io/tls\ndata:\n  tls.crt: "
                + b64("CHAIN")
                + "\n  tls.key: "
                + b64("OLD")
                + "\nstringData:\n  tls.key: |\n    "
                + KEY.replace("\n", "\n    ")
                + "\n");
    assertThat(s.key()).isEqualTo(ConfigKey.of(ConfigKind.SECRET, "gw", "cred"));
    assertThat(s.type()).isEqualTo("kubernetes.io/tls");
    Secret.KeyAndChain kc = s.keyAndChain().orElseThrow();
    assertThat(new String(kc.certificateChain().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("CHAIN");
    assertThat(new String(kc.privateKey().bytes(), StandardCharsets.UTF_8)).startsWith(KEY);
    assertThat(s.caCertificate()).isEmpty();
  }

  @Test
  void genericKeysWinOverTlsKeysAsInIstio() {
    Secret s =
        only(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cred\nstringData:\n"
                + "  cert: GENERIC\n  key: GK\n  cacert: GCA\n  tls.crt: TLS\n  tls.key: TK\n"
                + "  ca.crt: TCA\n");
    assertThat(s.id().namespace()).isEqualTo("default");
    assertThat(new String(s.keyAndChain().orElseThrow().certificateChain().bytes()))
        .isEqualTo("GENERIC");
    assertThat(new String(s.caCertificate().orElseThrow().bytes())).isEqualTo("GCA");
  }

  @Test
  void invalidBase64IsReportedByKeyWithoutTheValue() {
    List<Decoded> d =
        decode(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\n  namespace: gw\n"
                + "data:\n  tls.key: 'TOP-SECRET-KEY!'\n");
    assertThat(d.get(0)).isInstanceOf(Decoded.Invalid.class);
    assertThat(((Decoded.Invalid) d.get(0)).messages())
        .containsExactly("Secret gw/bad: data.tls.key: is not valid base64 (value not shown)");
    assertThat(d.get(0).toString()).doesNotContain("TOP-SECRET");
  }

  @Test
  void secretValuesNeverAppearInTextualForms() {
    Secret s =
        only(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cred\n  namespace: gw\n"
                + "data:\n  tls.key: "
                + b64(KEY)
                + "\n  tls.crt: "
                + b64("CHAIN-TEXT")
                + "\n");
    MeshSnapshot snapshot = MeshSnapshot.build(MeshConfig.DEFAULT, List.of(s));
    assertThat(snapshot.secrets().get("gw", "cred")).contains(s);
    assertThat(snapshot.secrets().get("other", "cred")).isEmpty();
    String text =
        s
            + " "
            + s.data()
            + " "
            + s.keyAndChain().orElseThrow()
            + " "
            + snapshot
            + " "
            + new Decoded.Ok(s);
    assertThat(text)
        .doesNotContain("TOP-SECRET-KEY")
        .doesNotContain(b64(KEY))
        .doesNotContain("CHAIN-TEXT")
        .contains("Secret gw/cred")
        .contains("[redacted ");
  }
}
