package dev.meshctl.xds.translate.policy;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/** Small conversions from Istio's values to protobuf ones. Stateless; any thread. */
public final class Protos {
  private Protos() {}

  /** A protobuf duration of the same length. */
  public static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  /**
   * A percentage in [0, 100] as parts per million, as Istio translates every percentage: {@code
   * 0.1} becomes 1000/1,000,000, so fractions below 1% survive.
   */
  public static FractionalPercent perMillion(double percent) {
    long n = Math.round(Math.max(0, Math.min(100, percent)) * 10_000);
    return FractionalPercent.newBuilder()
        .setNumerator((int) n)
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
