package dev.meshctl.crds.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.Conformance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConformanceDecodeTest {

  @Test
  void printAll() {
    List<String> out = new ArrayList<>();
    int ok = 0;
    for (Path rel : Conformance.networkingFiles()) {
      for (Decoded d :
          IstioConfigDecoder.decodeYaml(Conformance.read(Conformance.dir().resolve(rel)))) {
        if (d instanceof Decoded.Invalid inv) {
          inv.messages().forEach(m -> out.add(rel + ": " + m));
        } else if (d instanceof Decoded.Ok) {
          ok++;
        } else if (d instanceof Decoded.Skipped s && s.what().startsWith("Gateway")) {
          out.add(rel + ": skipped " + s);
        }
      }
    }
    System.out.println("OK=" + ok);
    out.forEach(System.out::println);
    assertThat(ok).isGreaterThan(100);
  }
}
