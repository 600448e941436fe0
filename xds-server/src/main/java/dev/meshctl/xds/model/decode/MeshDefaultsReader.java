package dev.meshctl.xds.model.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.IstioDuration;
import dev.meshctl.crds.decode.IstioConfigDecoder;
import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.Common.TcpKeepalive;
import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.VirtualService.HttpRetry;
import dev.meshctl.crds.validation.Finding;
import dev.meshctl.crds.validation.LocalityRules;
import dev.meshctl.crds.validation.MeshConfigRules;
import dev.meshctl.crds.validation.ValidationReport;
import dev.meshctl.xds.model.MeshDefaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the mesh config fields that are Istio API messages or defaults for what resources leave
 * unset ({@link MeshDefaults}, {@code localityLbSetting}), with the same decoder and rules as the
 * resources they default. Collects {@code path: message} errors and warnings; not thread-safe: one
 * per decode.
 */
final class MeshDefaultsReader {
  /** The top-level fields this reader owns. */
  static final Set<String> FIELDS =
      Set.of(
          "localityLbSetting",
          "defaultHttpRetryPolicy",
          "h2UpgradePolicy",
          "defaultTrafficPolicy",
          "defaultServiceExportTo",
          "defaultVirtualServiceExportTo",
          "defaultDestinationRuleExportTo",
          "tcpKeepalive",
          "dnsRefreshRate",
          "protocolDetectionTimeout");

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private LocalityLbSetting locality;
  private HttpRetry retry;
  private boolean h2Upgrade;
  private ConnectionPoolSettings pool;
  private OutlierDetection outlier;
  private List<String> serviceExportTo;
  private List<String> virtualServiceExportTo;
  private List<String> destinationRuleExportTo;
  private TcpKeepalive keepalive;
  private Duration dnsRefreshRate;
  private Duration protocolDetectionTimeout;

  MeshDefaultsReader(LocalityLbSetting locality, MeshDefaults base) {
    this.locality = locality;
    this.retry = base.defaultHttpRetryPolicy();
    this.h2Upgrade = base.h2Upgrade();
    this.pool = base.connectionPool();
    this.outlier = base.outlierDetection();
    this.serviceExportTo = base.serviceExportTo();
    this.virtualServiceExportTo = base.virtualServiceExportTo();
    this.destinationRuleExportTo = base.destinationRuleExportTo();
    this.keepalive = base.tcpKeepalive();
    this.dnsRefreshRate = base.dnsRefreshRate();
    this.protocolDetectionTimeout = base.protocolDetectionTimeout();
  }

  List<String> errors() {
    return errors;
  }

  List<String> warnings() {
    return warnings;
  }

  LocalityLbSetting locality() {
    return locality;
  }

  MeshDefaults defaults() {
    return new MeshDefaults(
        retry,
        h2Upgrade,
        pool,
        outlier,
        serviceExportTo,
        virtualServiceExportTo,
        destinationRuleExportTo,
        keepalive,
        dnsRefreshRate,
        protocolDetectionTimeout);
  }

  /** Reads field {@code f} (one of {@link #FIELDS}) with value {@code v}. */
  void read(String f, JsonNode v) {
    if (v == null || v.isNull()) {
      return;
    }
    switch (f) {
      case "localityLbSetting" -> {
        LocalityLbSetting s = part(v, f, LocalityLbSetting.class);
        if (s != null && report(LocalityRules.checkMesh(f, s))) {
          locality = s;
        }
      }
      case "defaultHttpRetryPolicy" -> {
        HttpRetry r = part(v, f, HttpRetry.class);
        if (r != null && report(MeshConfigRules.retry(f, r))) {
          retry = r;
        }
      }
      case "h2UpgradePolicy" -> {
        String s = v.isTextual() ? v.asText() : null;
        if ("UPGRADE".equals(s)) {
          h2Upgrade = true;
        } else if ("DO_NOT_UPGRADE".equals(s)) {
          h2Upgrade = false;
        } else {
          errors.add(
              f + ": unknown value " + FieldReader.quoted(v) + " (want DO_NOT_UPGRADE or UPGRADE)");
        }
      }
      case "defaultTrafficPolicy" -> trafficPolicy(v, f);
      case "defaultServiceExportTo" -> serviceExportTo = exportTo(v, f, serviceExportTo);
      case "defaultVirtualServiceExportTo" ->
          virtualServiceExportTo = exportTo(v, f, virtualServiceExportTo);
      case "defaultDestinationRuleExportTo" ->
          destinationRuleExportTo = exportTo(v, f, destinationRuleExportTo);
      case "tcpKeepalive" -> {
        TcpKeepalive k = part(v, f, TcpKeepalive.class);
        if (k != null) {
          keepalive = k;
        }
      }
      case "dnsRefreshRate" -> dnsRefreshRate = duration(v, f, dnsRefreshRate, true);
      case "protocolDetectionTimeout" ->
          protocolDetectionTimeout = duration(v, f, protocolDetectionTimeout, false);
      default -> throw new IllegalArgumentException("not a defaults field: " + f);
    }
  }

  private void trafficPolicy(JsonNode v, String path) {
    if (!v.isObject()) {
      errors.add(path + ": must be a map, got " + FieldReader.kindOf(v));
      return;
    }
    for (Map.Entry<String, JsonNode> e : MeshConfigDecoder.fields(v)) {
      String p = path + "." + e.getKey();
      switch (e.getKey()) {
        case "connectionPool" -> {
          ConnectionPoolSettings c = part(e.getValue(), p, ConnectionPoolSettings.class);
          if (c != null && report(MeshConfigRules.connectionPool(p, c))) {
            pool = c;
          }
        }
        case "outlierDetection" -> {
          OutlierDetection o = part(e.getValue(), p, OutlierDetection.class);
          if (o != null && report(MeshConfigRules.outlierDetection(p, o))) {
            outlier = o;
          }
        }
        default -> warnings.add(p + ": unknown field; ignored");
      }
    }
  }

  private List<String> exportTo(JsonNode v, String path, List<String> def) {
    if (!v.isArray()) {
      errors.add(path + ": must be a list, got " + FieldReader.kindOf(v));
      return def;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      String s = v.get(i).asText("");
      if (!s.equals(".") && !s.equals("*") && !s.equals("~") && !NAMESPACE.matcher(s).matches()) {
        errors.add(
            path + "[" + i + "]: must be \".\", \"*\", \"~\" or a namespace, got \"" + s + "\"");
        return def;
      }
      out.add(s);
    }
    return out;
  }

  private Duration duration(JsonNode v, String path, Duration def, boolean atLeastOneMilli) {
    if (!v.isTextual()) {
      errors.add(path + ": must be a duration string, got " + FieldReader.quoted(v));
      return def;
    }
    IstioDuration.Result parsed = IstioDuration.parse(v.asText());
    if (parsed.error().isPresent()) {
      errors.add(path + ": invalid duration \"" + v.asText() + "\": " + parsed.error().get());
      return def;
    }
    Duration d = parsed.value().get();
    if (atLeastOneMilli && d.compareTo(Duration.ofMillis(1)) < 0) {
      errors.add(path + ": duration \"" + v.asText() + "\" must be at least 1ms");
      return def;
    }
    return d;
  }

  private <T> T part(JsonNode v, String path, Class<T> type) {
    IstioConfigDecoder.Part<T> part = IstioConfigDecoder.decodePart(v, type, path);
    errors.addAll(part.errors());
    return part.value();
  }

  /** Records the report's findings; whether it has no errors. */
  private boolean report(ValidationReport report) {
    for (Finding finding : report.findings()) {
      String path = finding.path();
      (finding.severity() == Finding.Severity.ERROR ? errors : warnings)
          .add((path.isEmpty() ? "" : path) + (path.isEmpty() ? "" : ": ") + finding.message());
    }
    return !report.hasErrors();
  }
}
