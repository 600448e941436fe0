package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import dev.meshctl.crds.IstioDuration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The duration pattern in the CRDs accepts exactly what our decoder's duration parser accepts. It
 * is compiled with RE2 (re2j), the regex engine of the API server (Go), not java.util.regex.
 */
class DurationPatternTest {
  private static final Pattern RE2 = Pattern.compile(RecordSchema.DURATION_PATTERN);

  @Test
  void patternAgreesWithTheParser() {
    List<String> inputs =
        List.of(
            "0",
            "1s",
            "1.5s",
            "100ms",
            "1m",
            "1h30m",
            ".5s",
            "5.s",
            "-1s",
            "+2h",
            "10us",
            "3\u00b5s",
            "3\u03bcs",
            "7ns",
            "1h2m3s4ms",
            "",
            "s",
            "1",
            "5x",
            "1.5",
            "1 s",
            "1s ",
            "..5s",
            "1hh",
            "-",
            "0s",
            "00",
            "1d",
            "PT1S",
            "1.2.3s");
    int accepted = 0;
    for (String s : inputs) {
      boolean parser = IstioDuration.parse(s).value().isPresent();
      assertThat(RE2.matches(s)).as("\"%s\"", s).isEqualTo(parser);
      accepted += parser ? 1 : 0;
    }
    assertThat(accepted).isBetween(10, inputs.size() - 10);
  }
}
