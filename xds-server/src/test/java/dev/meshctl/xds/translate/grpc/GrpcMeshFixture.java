package dev.meshctl.xds.translate.grpc;

import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * A small mesh for proxyless gRPC tests, built from model records: {@code reviews} in {@code
 * default} (grpc 9080 and http 8080, VIP 10.96.0.5, one ready pod), {@code ratings} in {@code prod}
 * (grpc 7070, VIP 10.96.0.9) and headless {@code db} in {@code default} (tcp 5432). Also re-used by
 * the grpc-java acceptance test.
 */
public final class GrpcMeshFixture {
  public static final String REVIEWS_FQDN = "reviews.default.svc.cluster.local";
  public static final String RATINGS_FQDN = "ratings.prod.svc.cluster.local";
  public static final String DB_FQDN = "db.default.svc.cluster.local";

  private GrpcMeshFixture() {}

  /** The mesh objects, in declaration order. */
  public static List<ConfigObject> objects() {
    Service reviews =
        new Service(
            NamespacedName.of("default", "reviews"),
            Map.of(),
            Map.of("app", "reviews"),
            "10.96.0.5",
            List.of(ServicePort.of("grpc", 9080), ServicePort.of("http-web", 8080)));
    Service ratings =
        new Service(
            NamespacedName.of("prod", "ratings"),
            Map.of(),
            Map.of("app", "ratings"),
            "10.96.0.9",
            List.of(ServicePort.of("grpc", 7070)));
    Service db =
        new Service(
            NamespacedName.of("default", "db"),
            Map.of(),
            Map.of("app", "db"),
            "None",
            List.of(ServicePort.of("tcp", 5432)));
    Pod pod =
        new Pod(
            NamespacedName.of("default", "reviews-1"),
            Map.of("app", "reviews"),
            Map.of(),
            "reviews",
            List.of("10.0.0.1"),
            "node-a",
            List.of(new Pod.ContainerPort("grpc", 9080, "TCP")));
    EndpointSlice slice =
        new EndpointSlice(
            NamespacedName.of("default", "reviews-abc"),
            "reviews",
            "IPv4",
            List.of(new EndpointSlice.EndpointPort("grpc", 9080, "TCP", "")),
            List.of(
                new EndpointSlice.Endpoint(
                    List.of("10.0.0.1"),
                    EndpointSlice.Conditions.READY,
                    "",
                    "node-a",
                    "",
                    new EndpointSlice.TargetRef("Pod", "default", "reviews-1"))));
    return List.of(reviews, ratings, db, pod, slice);
  }

  public static MeshSnapshot snapshot() {
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects());
  }

  /** The same objects in reverse order, to show that input order does not matter. */
  public static MeshSnapshot snapshotReversed() {
    List<ConfigObject> objects = new ArrayList<>(objects());
    Collections.reverse(objects);
    return MeshSnapshot.build(MeshConfig.DEFAULT, objects);
  }

  /** A proxyless gRPC workload in {@code namespace}. */
  public static Proxy proxy(String namespace) {
    return proxy(namespace, Map.of("app", "client"));
  }

  /** A proxyless gRPC workload in {@code namespace} with {@code labels}. */
  public static Proxy proxy(String namespace, Map<String, String> labels) {
    String id = "client-1." + namespace;
    String domain = namespace + ".svc.cluster.local";
    return new Proxy(
        Proxy.ProxyType.SIDECAR,
        List.of("10.0.0.7"),
        id,
        domain,
        namespace,
        labels,
        "default",
        Proxy.Generator.GRPC,
        "Kubernetes",
        "",
        "sidecar~10.0.0.7~" + id + "~" + domain);
  }

  /** {@link GrpcGenerator} output for the named resources. */
  public static SortedMap<String, com.google.protobuf.Message> generate(
      MeshSnapshot snapshot, String namespace, XdsType type, String... names) {
    return new GrpcGenerator()
        .generate(
            new TranslationContext(snapshot),
            proxy(namespace),
            type,
            Subscription.names(Set.of(names)));
  }
}
