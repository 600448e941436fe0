package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class GoDurationConverterTest {

  @ParameterizedTest
  @CsvSource({
    "100ms, PT0.1S",
    "10s, PT10S",
    "1m30s, PT1M30S",
    "1.5s, PT1.5S",
    "2h, PT2H",
    "250us, PT0.00025S",
    "7ns, PT0.000000007S",
    "0, PT0S",
    ".5m, PT30S"
  })
  void parsesGoDurations(String text, String expected) {
    assertThat(GoDurationConverter.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "10", "-1s", "1 s", "1sm", "ms", "1.2.3s", "10S"})
  void rejectsWhatGoRejectsAndNegatives(String text) {
    assertThatThrownBy(() -> GoDurationConverter.parse(text))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage(
            "'"
                + text
                + "' is not a duration: expected a number with a unit (ns, us, ms, s, m, h),"
                + " like 100ms, 10s or 1m30s");
  }
}
