package dev.meshctl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.source.ParsedFile;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedSampleTest {

  @Test
  void everySampleFileParsesCleanly() {
    List<ParsedFile> files = EmbeddedSample.files();
    assertThat(files).extracting(ParsedFile::file).hasSize(3);
    assertThat(files).allSatisfy(f -> assertThat(f.diagnostics()).isEmpty());
  }

  @Test
  void theSampleIsABookinfoMeshWithResolvedEndpoints() {
    MeshSnapshot s = MeshSnapshot.build(MeshConfig.DEFAULT, EmbeddedSample.objects().values());

    assertThat(s.services().byHost().keySet())
        .containsExactly(
            "details.default.svc.cluster.local",
            "productpage.default.svc.cluster.local",
            "ratings.default.svc.cluster.local",
            "reviews.default.svc.cluster.local");
    List<MeshEndpoint> reviews =
        s.endpoints().endpoints(NamespacedName.of("default", "reviews"), 9080);
    assertThat(reviews)
        .extracting(MeshEndpoint::address)
        .containsExactly("10.244.2.41", "10.244.2.42", "10.244.2.43");
    assertThat(reviews)
        .extracting(e -> e.labels().get("version"))
        .containsExactly("v1", "v2", "v3");
    assertThat(reviews).extracting(MeshEndpoint::serviceAccount).containsOnly("bookinfo-reviews");
    assertThat(s.endpoints().all().values().stream().mapToInt(List::size).sum()).isEqualTo(6);
  }
}
