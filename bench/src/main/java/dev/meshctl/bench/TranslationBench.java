package dev.meshctl.bench;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Times the translators directly, without the ADS server: one proxy's CDS, EDS, LDS and RDS (EDS
 * and RDS for the names its CDS and LDS reference, as a client would request them), against a fresh
 * {@link TranslationContext} (nothing memoised: the cost of the first proxy of a push) and against
 * one context shared by all proxies (the amortised cost of each further proxy). Also times
 * serializing and validating one proxy's resources, which the server does once per distinct
 * resource per push. Single-threaded; called from the benchmark's main thread.
 */
final class TranslationBench {

  /**
   * The measurements.
   *
   * @param freshNanos per sampled proxy: all four types against a fresh context
   * @param freshByType per type: the sampled proxies' times against fresh contexts
   * @param encodeValidateNanos per sampled proxy: serializing and validating its resources
   * @param sharedNanos per proxy: all four types against the shared context, in proxy order
   * @param resources per type: how many resources the first proxy receives
   */
  record Result(
      long[] freshNanos,
      Map<XdsType, long[]> freshByType,
      long[] encodeValidateNanos,
      long[] sharedNanos,
      Map<XdsType, Integer> resources) {}

  private final XdsGenerator generator;
  private final ResourceValidator validator;

  TranslationBench(XdsGenerator generator, ResourceValidator validator) {
    this.generator = generator;
    this.validator = validator;
  }

  /**
   * Measures {@code sample} proxies (evenly spread) against fresh contexts, stopping early once
   * {@code budget} is spent, then every proxy against a shared context.
   */
  Result run(MeshSnapshot snapshot, List<Proxy> proxies, int sample, Duration budget) {
    // Warm-up so that the JIT has compiled the translators before anything is timed.
    for (int i = 0; i < Math.min(3, proxies.size()); i++) {
      translate(new TranslationContext(snapshot), proxies.get(i), null);
    }
    int n = Math.min(sample, proxies.size());
    long[] fresh = new long[n];
    long[] encode = new long[n];
    Map<XdsType, long[]> byType = new EnumMap<>(XdsType.class);
    for (XdsType t : XdsType.values()) {
      byType.put(t, new long[n]);
    }
    long deadline = System.nanoTime() + budget.toNanos();
    int done = 0;
    for (int i = 0; i < n && System.nanoTime() < deadline; i++, done++) {
      Proxy proxy = proxies.get((int) ((long) i * proxies.size() / n));
      long[] typeNanos = new long[XdsType.values().length];
      long start = System.nanoTime();
      Map<XdsType, SortedMap<String, Message>> out =
          translate(new TranslationContext(snapshot), proxy, typeNanos);
      fresh[i] = System.nanoTime() - start;
      for (XdsType t : XdsType.values()) {
        byType.get(t)[i] = typeNanos[t.ordinal()];
      }
      long encodeStart = System.nanoTime();
      for (SortedMap<String, Message> resources : out.values()) {
        for (Message m : resources.values()) {
          m.toByteString();
          validator.validate(m);
        }
      }
      encode[i] = System.nanoTime() - encodeStart;
    }
    TranslationContext shared = new TranslationContext(snapshot);
    long[] sharedNanos = new long[proxies.size()];
    Map<XdsType, Integer> counts = new EnumMap<>(XdsType.class);
    for (int i = 0; i < proxies.size(); i++) {
      long start = System.nanoTime();
      Map<XdsType, SortedMap<String, Message>> out = translate(shared, proxies.get(i), null);
      sharedNanos[i] = System.nanoTime() - start;
      if (i == 0) {
        out.forEach((t, r) -> counts.put(t, r.size()));
      }
    }
    Map<XdsType, long[]> trimmedByType = new EnumMap<>(XdsType.class);
    for (Map.Entry<XdsType, long[]> e : byType.entrySet()) {
      trimmedByType.put(e.getKey(), java.util.Arrays.copyOf(e.getValue(), done));
    }
    return new Result(
        java.util.Arrays.copyOf(fresh, done),
        trimmedByType,
        java.util.Arrays.copyOf(encode, done),
        sharedNanos,
        counts);
  }

  /** One proxy's four types, in the order a client requests them; times each when asked. */
  private Map<XdsType, SortedMap<String, Message>> translate(
      TranslationContext context, Proxy proxy, long[] typeNanos) {
    Map<XdsType, SortedMap<String, Message>> out = new EnumMap<>(XdsType.class);
    timed(out, typeNanos, XdsType.CLUSTER, context, proxy, Subscription.WILDCARD);
    Subscription eds =
        Subscription.names(
            new java.util.HashSet<>(ReferencedNames.edsNames(out.get(XdsType.CLUSTER).values())));
    timed(out, typeNanos, XdsType.ENDPOINT, context, proxy, eds);
    timed(out, typeNanos, XdsType.LISTENER, context, proxy, Subscription.WILDCARD);
    Subscription rds =
        Subscription.names(
            new java.util.HashSet<>(ReferencedNames.rdsNames(out.get(XdsType.LISTENER).values())));
    timed(out, typeNanos, XdsType.ROUTE, context, proxy, rds);
    return out;
  }

  private void timed(
      Map<XdsType, SortedMap<String, Message>> out,
      long[] typeNanos,
      XdsType type,
      TranslationContext context,
      Proxy proxy,
      Subscription subscription) {
    long start = System.nanoTime();
    out.put(type, generator.generate(context, proxy, type, subscription));
    if (typeNanos != null) {
      typeNanos[type.ordinal()] = System.nanoTime() - start;
    }
  }
}
