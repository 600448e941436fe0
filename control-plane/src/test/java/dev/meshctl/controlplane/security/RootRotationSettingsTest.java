package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Istio's rotation variables as SecureServing reads them: valid values used, others defaulted. */
class RootRotationSettingsTest {
  @Test
  void gracePercentDefaultsToIstiosTwentyAndAcceptsOneToNinetyNine() {
    assertThat(SecureServing.gracePercent(null)).isEqualTo(20);
    assertThat(SecureServing.gracePercent(" ")).isEqualTo(20);
    assertThat(SecureServing.gracePercent("35")).isEqualTo(35);
    assertThat(SecureServing.gracePercent("0")).isEqualTo(20);
    assertThat(SecureServing.gracePercent("100")).isEqualTo(20);
    assertThat(SecureServing.gracePercent("ten")).isEqualTo(20);
  }

  @Test
  void checkIntervalTakesGoStyleSecondsMinutesAndHoursAndDefaultsToAnHour() {
    assertThat(SecureServing.checkInterval(null)).isEqualTo(Duration.ofHours(1));
    assertThat(SecureServing.checkInterval("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(SecureServing.checkInterval("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(SecureServing.checkInterval("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(SecureServing.checkInterval("0s")).isEqualTo(Duration.ofHours(1));
    assertThat(SecureServing.checkInterval("5d")).isEqualTo(Duration.ofHours(1));
    assertThat(SecureServing.checkInterval("h")).isEqualTo(Duration.ofHours(1));
  }
}
