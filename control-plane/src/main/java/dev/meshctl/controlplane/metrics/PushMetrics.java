package dev.meshctl.controlplane.metrics;

import dev.meshctl.controlplane.push.PushObserver;
import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.controlplane.store.ConfigChange;
import dev.meshctl.controlplane.store.StoreObserver;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * The push pipeline as Prometheus metrics under Istio's names and bucket bounds:
 *
 * <ul>
 *   <li>{@code pilot_inbound_updates{type}}: effective changes accepted by the store, by Istio's
 *       types: {@code svc} (Service added or changed), {@code svcdelete} (Service removed), {@code
 *       eds} (EndpointSlice or Pod, which feed endpoints); {@code config} is for the Istio config
 *       kinds the model does not have yet (the switches below fail to compile until each kind is
 *       mapped). Equal re-applies (informer resyncs, re-lists) are not updates, as Istio drops
 *       updates whose object did not change.
 *   <li>{@code pilot_push_triggers{type}}: per change entering debouncing, one count per distinct
 *       Istio trigger reason among its keys: {@code service}, {@code endpoint} (EndpointSlice,
 *       Pod); {@code config} likewise awaits the config kinds. Istio counts them when the merged
 *       push starts; the totals agree once the push is done.
 *   <li>{@code pilot_debounce_time} (histogram, seconds): from a push's first change entering
 *       debouncing to its snapshot being ready.
 *   <li>{@code pilot_pushcontext_init_seconds} (histogram): snapshot build time.
 *   <li>{@code pilot_services} (gauge): services in the last pushed snapshot.
 * </ul>
 *
 * <p>Thread-safe: store callbacks come from source threads, push callbacks from the push thread.
 */
public final class PushMetrics implements PushObserver, StoreObserver {
  /** Istio's {@code pilot_debounce_time} bounds. */
  static final double[] DEBOUNCE_BUCKETS = {.01, .1, 1, 3, 5, 10, 20, 30};

  /** Istio's {@code pilot_pushcontext_init_seconds} bounds. */
  static final double[] PUSH_CONTEXT_BUCKETS = {.01, .1, 0.5, 1, 3, 5};

  private final MetricsRegistry.Family inboundUpdates;
  private final MetricsRegistry.Family pushTriggers;
  private final MetricsRegistry.Histogram debounceTime;
  private final MetricsRegistry.Histogram pushContextInit;
  private final MetricsRegistry.Family services;

  public PushMetrics(MetricsRegistry registry) {
    inboundUpdates =
        registry.counter(
            "pilot_inbound_updates", "Total number of updates received by pilot.", "type");
    pushTriggers =
        registry.counter(
            "pilot_push_triggers",
            "Total number of times a push was triggered, labeled by reason for the push.",
            "type");
    debounceTime =
        registry.histogram(
            "pilot_debounce_time",
            "Delay in seconds between the first config enters debouncing and the merged push"
                + " request is pushed into the push queue (includes pushcontext_init_seconds).",
            DEBOUNCE_BUCKETS);
    pushContextInit =
        registry.histogram(
            "pilot_pushcontext_init_seconds",
            "Total time in seconds Pilot takes to init pushContext.",
            PUSH_CONTEXT_BUCKETS);
    services = registry.gauge("pilot_services", "Total services known to pilot.");
  }

  @Override
  public void changed(ConfigKey key, boolean removed) {
    String type =
        switch (key.kind()) {
          case SERVICE -> removed ? "svcdelete" : "svc";
          case ENDPOINT_SLICE, POD -> "eds";
          case SECRET -> "secret";
          // Istio counts every Istio config object as a "config" update.
          case VIRTUAL_SERVICE,
              DESTINATION_RULE,
              GATEWAY,
              SERVICE_ENTRY,
              SIDECAR,
              WORKLOAD_ENTRY,
              WORKLOAD_GROUP,
              PEER_AUTHENTICATION,
              AUTHORIZATION_POLICY,
              REQUEST_AUTHENTICATION,
              ENVOY_FILTER ->
              "config";
          // Istio counts namespace and mesh config updates as config; node labels move endpoints.
          case NAMESPACE, MESH_CONFIG, REVISION_TAG -> "config";
          case NODE -> "eds";
        };
    inboundUpdates.inc(type);
  }

  @Override
  public void changeReceived(ConfigChange change) {
    Set<String> reasons = new TreeSet<>();
    for (ConfigKey key : change.keys()) {
      reasons.add(reason(key.kind()));
    }
    reasons.forEach(pushTriggers::inc);
  }

  private static String reason(ConfigKind kind) {
    return switch (kind) {
      case SERVICE -> "service";
      case ENDPOINT_SLICE, POD -> "endpoint";
      case SECRET -> "secret";
      case VIRTUAL_SERVICE,
          DESTINATION_RULE,
          GATEWAY,
          SERVICE_ENTRY,
          SIDECAR,
          WORKLOAD_ENTRY,
          WORKLOAD_GROUP,
          PEER_AUTHENTICATION,
          AUTHORIZATION_POLICY,
          REQUEST_AUTHENTICATION,
          ENVOY_FILTER ->
          "config";
      // Istio's trigger names: "namespace" for namespace updates, "global" for mesh config.
      case NAMESPACE -> "namespace";
      case NODE -> "endpoint";
      case MESH_CONFIG, REVISION_TAG -> "global";
    };
  }

  @Override
  public void snapshotBuilt(
      PushRequest request, MeshSnapshot snapshot, Duration buildTime, Duration debounced) {
    pushContextInit.observe(seconds(buildTime));
    debounceTime.observe(seconds(debounced));
    services.set(snapshot.services().size());
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
