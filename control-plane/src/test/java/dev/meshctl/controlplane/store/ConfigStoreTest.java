package dev.meshctl.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {
  private final List<ConfigChange> events = new ArrayList<>();
  private final ConfigStore store = new ConfigStore();

  {
    store.listen(events::add);
  }

  static Service service(String name, int port) {
    return new Service(
        NamespacedName.of("default", name),
        Map.of(),
        Map.of("app", name),
        "10.96.0.1",
        List.of(new ServicePort("http", port, port, "", "TCP", "")));
  }

  static EndpointSlice slice(String name, String service, String ip) {
    return new EndpointSlice(
        NamespacedName.of("default", name),
        service,
        "IPv4",
        List.of(new EndpointSlice.EndpointPort("http", 9080, "TCP", "")),
        List.of(
            new EndpointSlice.Endpoint(
                List.of(ip), new EndpointSlice.Conditions(true, true, false), "", "", "", null)));
  }

  static Map<ConfigKey, ConfigObject> byKey(ConfigObject... objects) {
    Map<ConfigKey, ConfigObject> m = new java.util.TreeMap<>();
    for (ConfigObject o : objects) {
      m.put(o.key(), o);
    }
    return m;
  }

  @Test
  void applyReportsAddedKeysOnceAndReapplyingEqualObjectsIsSilent() {
    store.apply(
        "files", byKey(service("reviews", 9080), slice("reviews-1", "reviews", "10.0.0.1")));
    // Equal values, new instances: not a change.
    store.apply(
        "files", byKey(service("reviews", 9080), slice("reviews-1", "reviews", "10.0.0.1")));

    assertThat(events).hasSize(1);
    assertThat(events.get(0).keys())
        .containsExactly(
            ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"),
            ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1"));
    assertThat(events.get(0).endpointOnly()).isFalse();
    assertThat(store.snapshotObjects()).hasSize(2);
  }

  @Test
  void changingOnlyASliceIsAnEndpointOnlyChangeNamingThatSlice() {
    store.apply(
        "files", byKey(service("reviews", 9080), slice("reviews-1", "reviews", "10.0.0.1")));
    store.apply(
        "files", byKey(service("reviews", 9080), slice("reviews-1", "reviews", "10.0.0.2")));

    assertThat(events).hasSize(2);
    assertThat(events.get(1).keys())
        .containsExactly(ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "default", "reviews-1"));
    assertThat(events.get(1).endpointOnly()).isTrue();
  }

  @Test
  void applyDeletesWhatTheSourceNoLongerDeclares() {
    store.apply("files", byKey(service("reviews", 9080), service("ratings", 9080)));
    store.apply("files", byKey(service("reviews", 9080)));

    assertThat(events.get(1).keys())
        .containsExactly(ConfigKey.of(ConfigKind.SERVICE, "default", "ratings"));
    assertThat(store.snapshotObjects()).containsExactly(service("reviews", 9080));
    store.apply("files", Map.of());
    assertThat(store.size()).isZero();
    assertThat(events).hasSize(3);
  }

  @Test
  void firstSourceByNameWinsAndTheLoserTakesOverWhenTheWinnerLetsGo() {
    store.apply("b-source", byKey(service("reviews", 8080)));
    store.apply("a-source", byKey(service("reviews", 9080)));
    assertThat(store.snapshotObjects()).containsExactly(service("reviews", 9080));

    // The loser re-declaring its own (unchanged) value changes nothing effective.
    store.apply("b-source", byKey(service("reviews", 8080)));
    assertThat(events).hasSize(2);

    store.apply("a-source", Map.of());
    assertThat(store.snapshotObjects()).containsExactly(service("reviews", 8080));
    assertThat(events).hasSize(3);
  }

  @Test
  void upsertAndDeleteReportOnlyRealChanges() {
    store.upsert("k8s", service("reviews", 9080));
    store.upsert("k8s", service("reviews", 9080));
    store.delete("k8s", ConfigKey.of(ConfigKind.SERVICE, "default", "missing"));
    store.delete("k8s", ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"));
    store.delete("k8s", ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"));

    assertThat(events).hasSize(2);
    assertThat(store.get(ConfigKey.of(ConfigKind.SERVICE, "default", "reviews"))).isEmpty();
  }

  @Test
  void mergedChangesUnionKeysAndStayEndpointOnlyOnlyIfBothAre() {
    ConfigChange eds = ConfigChange.of(List.of(slice("a", "a", "10.0.0.1").key()));
    ConfigChange eds2 = ConfigChange.of(List.of(slice("b", "b", "10.0.0.1").key()));
    ConfigChange full = ConfigChange.of(List.of(service("a", 80).key()));

    assertThat(eds.merge(eds2).endpointOnly()).isTrue();
    assertThat(eds.merge(eds2).keys()).hasSize(2);
    assertThat(eds.merge(full).endpointOnly()).isFalse();
  }
}
