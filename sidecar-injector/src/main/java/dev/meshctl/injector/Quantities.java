package dev.meshctl.injector;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical Kubernetes quantities, as the API machinery prints them after parsing ({@code 2000m} →
 * {@code 2}, {@code 1024Mi} → {@code 1Gi}, {@code 0.5} → {@code 500m}): Istio's template output
 * goes through that round trip, so resources must be written the same way to match it. Pure; any
 * thread.
 */
final class Quantities {
  private static final Pattern QUANTITY =
      Pattern.compile(
          "^([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|)$");
  private static final Map<String, Integer> DECIMAL_EXP =
      Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
  private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  private static final BigInteger K1024 = BigInteger.valueOf(1024);

  private Quantities() {}

  /** The canonical form, or the input unchanged when it is not a quantity we can parse. */
  static String canonical(String quantity) {
    Matcher m = QUANTITY.matcher(quantity.trim());
    if (!m.matches()) {
      return quantity; // let the API server report it, with its own message
    }
    BigDecimal number = new BigDecimal(m.group(1));
    String suffix = m.group(2);
    if (suffix.endsWith("i")) {
      int power = java.util.Arrays.asList(BINARY).indexOf(suffix);
      BigDecimal value = number.multiply(new BigDecimal(K1024.pow(power)));
      if (value.abs().compareTo(new BigDecimal(K1024)) >= 0 && isInteger(value)) {
        BigInteger v = value.toBigIntegerExact();
        int k = 0;
        while (k < BINARY.length - 1 && v.mod(K1024).signum() == 0 && v.signum() != 0) {
          v = v.divide(K1024);
          k++;
        }
        return v + BINARY[k];
      }
      return decimal(value); // small or fractional binary values print as decimal, as in Go
    }
    return decimal(number.scaleByPowerOfTen(DECIMAL_EXP.get(suffix)));
  }

  private static String decimal(BigDecimal value) {
    if (value.signum() == 0) {
      return "0";
    }
    String[] suffixes = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    for (int i = suffixes.length - 1; i >= 0; i--) {
      int exp = -9 + 3 * i;
      BigDecimal scaled = value.scaleByPowerOfTen(-exp);
      if (isInteger(scaled)) {
        return scaled.toBigIntegerExact() + suffixes[i];
      }
    }
    // Finer than a nano: Go rounds up to the next nano.
    return value.scaleByPowerOfTen(9).setScale(0, java.math.RoundingMode.CEILING).toBigInteger()
        + "n";
  }

  private static boolean isInteger(BigDecimal v) {
    return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
  }
}
