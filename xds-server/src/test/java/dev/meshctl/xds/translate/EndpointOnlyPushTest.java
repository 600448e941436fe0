package dev.meshctl.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.EndpointChanges;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The assumption behind endpoint-only pushes ({@code PushScope.endpoints}): when only endpoints
 * change, every proxy outside {@link EndpointChanges#changedAddresses()} keeps byte-identical CDS,
 * LDS and RDS (unless a headless service changed, which forces a full push). Checked for every pod
 * of the golden inputs as a sidecar, against every single-endpoint removal and readiness flip.
 */
class EndpointOnlyPushTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final XdsGenerator GEN =
      new MeshGenerator(new SidecarGenerator(), new GrpcGenerator());

  @ParameterizedTest
  @ValueSource(strings = {"bookinfo-productpage", "tcp-and-autodetect"})
  void proxiesOutsideTheChangedAddressesKeepTheirNonEdsConfig(String name) throws IOException {
    List<ConfigObject> objects =
        MeshFixture.objects(Files.readString(GOLDEN.resolve(name).resolve("input.yaml")), name);
    MeshSnapshot before = MeshSnapshot.build(MeshConfig.DEFAULT, objects);
    List<Proxy> proxies = sidecars(objects);
    assertThat(proxies).isNotEmpty();
    int variants = 0;
    int affectedSeen = 0;
    for (List<ConfigObject> mutated : endpointVariants(objects)) {
      MeshSnapshot after = MeshSnapshot.build(MeshConfig.DEFAULT, mutated);
      EndpointChanges changes = EndpointChanges.between(before, after);
      variants++;
      if (changes.fullPushNeeded()) {
        continue; // a full push: nothing to assume
      }
      for (Proxy p : proxies) {
        boolean affected = p.ipAddresses().stream().anyMatch(changes.changedAddresses()::contains);
        if (affected) {
          affectedSeen++;
          continue;
        }
        assertThat(nonEds(after, p))
            .as("%s: %s after an endpoint change elsewhere", name, p.nodeId())
            .isEqualTo(nonEds(before, p));
      }
    }
    assertThat(variants).isGreaterThan(3);
    // The diff does catch proxies whose own endpoints changed.
    assertThat(affectedSeen).isPositive();
  }

  private static Map<String, SortedMap<String, Message>> nonEds(MeshSnapshot s, Proxy p) {
    TranslationContext ctx = new TranslationContext(s);
    SortedMap<String, Message> lds = GEN.generate(ctx, p, XdsType.LISTENER, Subscription.WILDCARD);
    return Map.of(
        "cds",
        GEN.generate(ctx, p, XdsType.CLUSTER, Subscription.WILDCARD),
        "lds",
        lds,
        "rds",
        GEN.generate(ctx, p, XdsType.ROUTE, Subscription.names(XdsDump.rdsNames(lds))));
  }

  /** Each slice with its last endpoint removed, and with its first endpoint not ready. */
  private static List<List<ConfigObject>> endpointVariants(List<ConfigObject> objects) {
    List<List<ConfigObject>> out = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      if (!(objects.get(i) instanceof EndpointSlice s) || s.endpoints().isEmpty()) {
        continue;
      }
      List<EndpointSlice.Endpoint> fewer = new ArrayList<>(s.endpoints());
      fewer.remove(fewer.size() - 1);
      out.add(replace(objects, i, withEndpoints(s, fewer)));
      List<EndpointSlice.Endpoint> unready = new ArrayList<>(s.endpoints());
      EndpointSlice.Endpoint e = unready.get(0);
      unready.set(
          0,
          new EndpointSlice.Endpoint(
              e.addresses(),
              new EndpointSlice.Conditions(false, false, true),
              e.zone(),
              e.nodeName(),
              e.hostname(),
              e.targetRef()));
      out.add(replace(objects, i, withEndpoints(s, unready)));
    }
    return out;
  }

  private static EndpointSlice withEndpoints(EndpointSlice s, List<EndpointSlice.Endpoint> eps) {
    return new EndpointSlice(s.id(), s.serviceName(), s.addressType(), s.ports(), eps);
  }

  private static List<ConfigObject> replace(List<ConfigObject> list, int i, ConfigObject o) {
    List<ConfigObject> copy = new ArrayList<>(list);
    copy.set(i, o);
    return copy;
  }

  private static List<Proxy> sidecars(List<ConfigObject> objects) {
    List<Proxy> out = new ArrayList<>();
    for (ConfigObject o : objects) {
      if (o instanceof Pod pod && !pod.podIps().isEmpty()) {
        String ns = pod.id().namespace();
        String id = pod.id().name() + "." + ns;
        out.add(
            new Proxy(
                Proxy.ProxyType.SIDECAR,
                pod.podIps(),
                id,
                ns + ".svc.cluster.local",
                ns,
                pod.labels(),
                pod.serviceAccount(),
                Proxy.Generator.ENVOY,
                "",
                "",
                "sidecar~" + pod.ip() + "~" + id + "~" + ns + ".svc.cluster.local"));
      }
    }
    return out;
  }
}
