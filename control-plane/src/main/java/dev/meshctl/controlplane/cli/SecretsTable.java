package dev.meshctl.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@code meshctl proxy-config secrets}: istioctl's secret table (RESOURCE NAME, TYPE, STATUS, VALID
 * CERT, SERIAL NUMBER, NOT AFTER, NOT BEFORE) from the {@code SecretsConfigDump} resources. It
 * reads only the certificate of each secret (the leaf of a chain, the first CA of a validation
 * context); private keys are never read or printed (the dump holds {@code [redacted]} anyway).
 * Stateless; any thread.
 */
final class SecretsTable {
  private SecretsTable() {}

  /**
   * @param secrets the {@code secret} objects of {@code dynamic_active_secrets}, proto JSON
   * @param now for VALID CERT: whether {@code now} lies within the certificate's validity
   */
  static String render(List<JsonNode> secrets, Instant now) {
    TabWriter w =
        new TabWriter(5)
            .row(
                "RESOURCE NAME",
                "TYPE",
                "STATUS",
                "VALID CERT",
                "SERIAL NUMBER",
                "NOT AFTER",
                "NOT BEFORE");
    for (JsonNode s : secrets) {
      boolean chain = s.has("tls_certificate");
      JsonNode source =
          chain
              ? s.path("tls_certificate").path("certificate_chain")
              : s.path("validation_context").path("trusted_ca");
      Optional<X509Certificate> cert = firstCertificate(source);
      w.row(
          s.path("name").asText(),
          chain ? "Cert Chain" : "CA",
          "ACTIVE",
          cert.map(c -> Boolean.toString(valid(c, now))).orElse("false"),
          cert.map(c -> c.getSerialNumber().toString(16)).orElse(""),
          cert.map(c -> time(c.getNotAfter().toInstant())).orElse(""),
          cert.map(c -> time(c.getNotBefore().toInstant())).orElse(""));
    }
    return w.render();
  }

  private static boolean valid(X509Certificate c, Instant now) {
    return !now.isBefore(c.getNotBefore().toInstant()) && !now.isAfter(c.getNotAfter().toInstant());
  }

  private static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The first certificate of a DataSource given inline (bytes as base64, or a string). */
  static Optional<X509Certificate> firstCertificate(JsonNode dataSource) {
    byte[] pem;
    if (dataSource.hasNonNull("inline_bytes")) {
      try {
        pem = Base64.getDecoder().decode(dataSource.get("inline_bytes").asText());
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    } else if (dataSource.hasNonNull("inline_string")) {
      pem = dataSource.get("inline_string").asText().getBytes(StandardCharsets.UTF_8);
    } else {
      return Optional.empty();
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))
          .stream()
          .filter(X509Certificate.class::isInstance)
          .map(X509Certificate.class::cast)
          .findFirst();
    } catch (CertificateException e) {
      return Optional.empty();
    }
  }
}
