package dev.meshctl.controlplane.debug;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.server.ConnectionStatus;
import dev.meshctl.xds.server.ConnectionStatus.TypeStatus;
import dev.meshctl.xds.translate.XdsType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code /debug/syncz} document: one object per connected stream, sorted by proxy id then
 * connection id. Each carries Istio's {@code SyncStatus} fields ({@code proxy}, {@code cluster_id},
 * {@code istio_version}, {@code cluster_sent}/{@code cluster_acked} and so on, with nonces as Istio
 * reports them) plus {@code types}: per type ({@code cds}, {@code lds}, {@code eds}, {@code rds},
 * always all four) the proxy-status word ({@code SYNCED}, {@code NOT SENT}, {@code STALE}, {@code
 * ERROR}), sent and acked nonce and version, and the last NACK; {@code sds} too when the proxy
 * subscribed to secrets. Stateless; any thread.
 */
final class SyncStatusView {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Istio's field prefix per type, in the order Istio's SyncStatus declares them. */
  private static final Map<XdsType, String> ISTIO_PREFIX =
      Map.of(
          XdsType.CLUSTER, "cluster",
          XdsType.LISTENER, "listener",
          XdsType.ROUTE, "route",
          XdsType.ENDPOINT, "endpoint");

  private static final List<XdsType> ISTIO_ORDER =
      List.of(XdsType.CLUSTER, XdsType.LISTENER, XdsType.ROUTE, XdsType.ENDPOINT);

  private SyncStatusView() {}

  static ArrayNode render(List<ConnectionStatus> connections, String istiod) {
    ArrayNode out = JSON.arrayNode();
    connections.stream()
        .sorted(
            Comparator.comparing((ConnectionStatus s) -> s.proxy().id())
                .thenComparing(ConnectionStatus::connectionId))
        .forEach(e -> out.add(entry(e, istiod)));
    return out;
  }

  private static ObjectNode entry(ConnectionStatus s, String istiod) {
    Proxy p = s.proxy();
    ObjectNode o = JSON.objectNode();
    o.put("proxy", p.id());
    o.put("node_id", s.nodeId());
    o.put("connection_id", s.connectionId());
    o.put("cluster_id", p.clusterId());
    o.put("proxy_type", p.type().wireName());
    o.put("istio_version", p.istioVersion());
    o.put("istiod", istiod);
    o.put("delta", s.delta());
    o.put("connected_at", s.connectedAt().toString());
    for (XdsType type : ISTIO_ORDER) {
      TypeStatus t = s.types().get(type);
      String prefix = ISTIO_PREFIX.get(type);
      o.put(prefix + "_sent", t == null ? "" : t.sentNonce());
      o.put(prefix + "_acked", t == null ? "" : t.ackedNonce());
    }
    ObjectNode types = o.putObject("types");
    for (XdsType type :
        List.of(
            XdsType.CLUSTER, XdsType.LISTENER, XdsType.ENDPOINT, XdsType.ROUTE, XdsType.SECRET)) {
      TypeStatus t = s.types().get(type);
      if (type == XdsType.SECRET && t == null) {
        // Only gateways and proxies fetching certificates over ADS ask for SDS.
        continue;
      }
      ObjectNode to = types.putObject(type.shortName());
      to.put("status", t == null ? "NOT SENT" : t.syncState());
      to.put("sent_nonce", t == null ? "" : t.sentNonce());
      to.put("sent_version", t == null ? "" : t.sentVersion());
      to.put("acked_nonce", t == null ? "" : t.ackedNonce());
      to.put("acked_version", t == null ? "" : t.ackedVersion());
      if (t != null && t.lastNack().isPresent()) {
        to.put("nacked_version", t.lastNack().get().version());
        to.put("error", t.lastNack().get().message());
      }
    }
    return o;
  }
}
