package dev.meshctl.xds.server;

import com.google.protobuf.Message;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.secret.SecretTranslator;
import dev.meshctl.xds.translate.secret.WorkloadCertificate;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One stream's generator: the server's pure generator plus, for SDS, the workload identity secrets
 * {@code default} and {@code ROOTCA} from a {@link WorkloadCertificateSource} on an authenticated
 * stream. Names that are refused (identity secrets on a plaintext stream, a {@code kubernetes://}
 * name of another namespace) are reported to {@link Refusals} and never generated. Thread-safe if
 * the source and the refusal sink are.
 */
final class IdentitySecretGenerator implements XdsGenerator {
  /** Told of each SDS name refused to a proxy, with the reason. */
  @FunctionalInterface
  interface Refusals {
    Refusals IGNORE = (proxy, name, reason) -> {};

    void refused(Proxy proxy, String name, String reason);
  }

  private final XdsGenerator base;
  private final Optional<WorkloadCertificateSource> identities;
  private final Refusals refusals;

  /**
   * @param identities the certificate source; empty on a stream whose caller is not authenticated
   */
  IdentitySecretGenerator(
      XdsGenerator base, Optional<WorkloadCertificateSource> identities, Refusals refusals) {
    this.base = base;
    this.identities = identities;
    this.refusals = refusals;
  }

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    SortedMap<String, Message> generated = base.generate(context, proxy, type, subscription);
    if (type != XdsType.SECRET || !(subscription instanceof Subscription.Names names)) {
      return generated;
    }
    SortedMap<String, Message> out = new TreeMap<>(generated);
    Optional<WorkloadCertificate> cert = Optional.empty();
    boolean asked = false;
    for (String name : names.names()) {
      boolean identity =
          name.equals(ResourceNames.SDS_DEFAULT_SECRET)
              || name.equals(ResourceNames.SDS_ROOT_SECRET);
      if (identity && identities.isEmpty()) {
        refusals.refused(
            proxy,
            name,
            "identity secrets are only served on the authenticated (secure) xDS port; this stream"
                + " has no authenticated caller");
      } else if (identity) {
        if (!asked) {
          cert = identities.get().certificateFor(proxy);
          asked = true;
        }
        cert.ifPresent(
            c ->
                out.put(
                    name,
                    name.equals(ResourceNames.SDS_DEFAULT_SECRET)
                        ? SecretTranslator.workload(c)
                        : SecretTranslator.roots(c)));
      } else if (SecretTranslator.foreignNamespace(name, proxy.namespace())) {
        refusals.refused(
            proxy,
            name,
            "names another namespace; a proxy is only served Secrets of its own namespace \""
                + proxy.namespace()
                + "\"");
      }
    }
    return out;
  }
}
