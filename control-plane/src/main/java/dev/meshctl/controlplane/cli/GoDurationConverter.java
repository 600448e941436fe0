package dev.meshctl.controlplane.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations the way Go's {@code time.ParseDuration} writes them, as Istio's flags and
 * environment variables ({@code PILOT_DEBOUNCE_AFTER=100ms}) do: a sequence of decimal numbers each
 * with a unit ({@code ns}, {@code us}, {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}),
 * like {@code 100ms}, {@code 1.5s}, {@code 1m30s}; a bare {@code 0} is zero. Negative values are
 * rejected (no flag here means a negative time). Stateless; any thread.
 */
public final class GoDurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses {@code value}.
   *
   * @throws CommandLine.TypeConversionException naming the value and the expected form
   */
  public static Duration parse(String value) {
    String v = value.strip();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(v);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < v.length() && m.find(at) && m.start() == at) {
      nanos =
          nanos.add(
              new BigDecimal(m.group(1))
                  .multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
      at = m.end();
    }
    if (v.isEmpty() || at != v.length()) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not a duration: expected a number with a unit (ns, us, ms, s, m, h),"
              + " like 100ms, 10s or 1m30s");
    }
    return Duration.ofNanos(nanos.longValue());
  }
}
