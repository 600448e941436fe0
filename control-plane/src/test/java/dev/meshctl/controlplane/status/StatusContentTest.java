package dev.meshctl.controlplane.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.validation.Finding;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusContentTest {
  private static final ObjectRef REF = ObjectRef.of(IstioKind.DESTINATION_RULE, "ns", "dr");
  private static final Finding ERROR =
      new Finding(Finding.Severity.ERROR, "DestinationRule ns/dr", "spec.host", "must be set");
  private static final Finding WARNING =
      new Finding(Finding.Severity.WARNING, "DestinationRule ns/dr", "spec.subsets[0]", "unused");
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-01-01T01:00:00Z");

  @Test
  void unchangedOutcomeKeepsTheTransitionTimeSoNothingIsWritten() {
    Map<String, Object> first =
        StatusContent.next(Map.of(), new ConfigStatus(REF, 3, List.of(ERROR)), T1);
    Map<String, Object> again =
        StatusContent.next(first, new ConfigStatus(REF, 3, List.of(ERROR)), T2);
    assertThat(StatusContent.same(first, again)).isTrue();
    assertThat(again.toString()).contains("lastTransitionTime=2026-01-01T00:00:00Z");
  }

  @Test
  void warningsAloneAreReportedWithoutARefusal() {
    Map<String, Object> s =
        StatusContent.next(Map.of(), new ConfigStatus(REF, 1, List.of(WARNING)), T1);
    assertThat(s).doesNotContainKey("conditions");
    assertThat(s.get("validationMessages").toString()).contains("level=WARNING", "code=IST0106");
  }

  @Test
  void othersEntriesSurviveBothWritingAndClearing() {
    Map<String, Object> analysis =
        Map.of(
            "type",
            Map.of("code", "IST0101", "name", "ReferencedResourceNotFound"),
            "level",
            "ERROR");
    Map<String, Object> ready = Map.of("type", "Ready", "status", "True");
    Map<String, Object> current =
        Map.of(
            "validationMessages",
            List.of(analysis),
            "conditions",
            List.of(ready),
            "observedGeneration",
            1);

    Map<String, Object> invalid =
        StatusContent.next(current, new ConfigStatus(REF, 2, List.of(ERROR)), T1);
    assertThat((List<?>) invalid.get("validationMessages")).hasSize(2).first().isEqualTo(analysis);
    assertThat((List<?>) invalid.get("conditions")).hasSize(2).first().isEqualTo(ready);
    assertThat(invalid.get("observedGeneration")).isEqualTo(2L);

    Map<String, Object> fixed =
        StatusContent.next(invalid, new ConfigStatus(REF, 3, List.of()), T2);
    assertThat(fixed.get("validationMessages")).isEqualTo(List.of(analysis));
    assertThat(fixed.get("conditions")).isEqualTo(List.of(ready));
  }

  @Test
  void validObjectWithoutStatusNeedsNoWrite() {
    assertThat(
            StatusContent.same(
                Map.of(), StatusContent.next(Map.of(), new ConfigStatus(REF, 1, List.of()), T1)))
        .isTrue();
  }
}
