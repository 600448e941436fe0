package dev.meshctl.crds;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;

/**
 * Istio's duration syntax. Istio decodes {@code google.protobuf.Duration} fields with the legacy
 * {@code jsonpb} decoder, which uses Go's {@code time.ParseDuration}, and its CRDs check them with
 * CEL's {@code duration()}, which has the same grammar: an optional sign, then one or more {@code
 * <decimal><unit>} parts ({@code 1h30m}, {@code 1.5s}, {@code 100ms}, {@code .5s}) with units
 * {@code ns us µs μs ms s m h}, or a bare {@code 0}. Stateless; any thread.
 */
public final class IstioDuration {
  private static final long MAX_NANOS = Long.MAX_VALUE;

  private IstioDuration() {}

  /** Parses {@code text}, or returns why it is not a duration (Go's wording, without a prefix). */
  public static Result parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Result.ok(Duration.ZERO);
    }
    if (s.isEmpty()) {
      return Result.error("invalid duration \"" + text + "\"");
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      int intDigits = i - start;
      int fracDigits = 0;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fracStart = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        fracDigits = i - fracStart;
      }
      if (intDigits == 0 && fracDigits == 0) {
        return Result.error("invalid duration \"" + text + "\"");
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && s.charAt(i) != '.' && !Character.isDigit(s.charAt(i))) {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        return Result.error("missing unit in duration \"" + text + "\"");
      }
      long unitNanos = unitNanos(unit);
      if (unitNanos == 0) {
        return Result.error("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
      }
      total =
          total.add(
              new BigDecimal(number.endsWith(".") ? number + "0" : number)
                  .multiply(BigDecimal.valueOf(unitNanos)));
    }
    BigInteger nanos = total.toBigInteger();
    if (nanos.compareTo(BigInteger.valueOf(MAX_NANOS)) > 0) {
      return Result.error("invalid duration \"" + text + "\"");
    }
    long n = nanos.longValue();
    return Result.ok(Duration.ofNanos(negative ? -n : n));
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "\u00b5s", "\u03bcs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 0L;
    };
  }

  /**
   * Protobuf's canonical JSON form: seconds with 0, 3, 6 or 9 fractional digits ({@code "1.500s"}).
   * Istio accepts it back, so encoding then decoding gives the same {@link Duration}.
   */
  public static String format(Duration d) {
    boolean negative = d.isNegative();
    Duration abs = d.abs();
    long seconds = abs.getSeconds();
    int nanos = abs.getNano();
    StringBuilder out = new StringBuilder();
    if (negative) {
      out.append('-');
    }
    out.append(seconds);
    if (nanos != 0) {
      String frac = String.format("%09d", nanos);
      if (nanos % 1_000_000 == 0) {
        frac = frac.substring(0, 3);
      } else if (nanos % 1_000 == 0) {
        frac = frac.substring(0, 6);
      }
      out.append('.').append(frac);
    }
    return out.append('s').toString();
  }

  /** A parsed duration or the reason the text is not one. Exactly one of the two is present. */
  public record Result(Optional<Duration> value, Optional<String> error) {
    static Result ok(Duration d) {
      return new Result(Optional.of(d), Optional.empty());
    }

    static Result error(String why) {
      return new Result(Optional.empty(), Optional.of(why));
    }
  }
}
