package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.crds.IstioKind;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's RBAC covers every Kubernetes API call the control plane makes, and grants nothing
 * else. Two sources of truth: the API calls recorded while the real control plane, started with the
 * chart's own arguments, runs against a mock API server; and {@link #EXPECTED}, the table of calls
 * the code makes or is about to make, each with where it comes from.
 */
@EnableKubernetesMockClient(crud = true)
class ChartRbacTest {
  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path mounts;

  /** Where a grant must live: cluster-wide (ClusterRole) or the release namespace (Role). */
  enum Scope {
    CLUSTER,
    RELEASE_NAMESPACE
  }

  /** One permission: a verb on a resource ({@code plural} or {@code plural/subresource}). */
  record Access(String group, String resource, String verb) implements Comparable<Access> {
    @Override
    public int compareTo(Access o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
    }
  }

  /** A row of the table: what, where, and the code that needs it. */
  record Need(Scope scope, String group, List<String> resources, List<String> verbs, String why) {}

  private static final List<String> READ = List.of("get", "list", "watch");
  private static final List<String> NETWORKING =
      List.of(
          "destinationrules",
          "envoyfilters",
          "gateways",
          "proxyconfigs",
          "serviceentries",
          "sidecars",
          "virtualservices",
          "workloadentries",
          "workloadgroups");
  private static final List<String> SECURITY =
      List.of("authorizationpolicies", "peerauthentications", "requestauthentications");

  /** The API calls of the control plane, from reading the code (and the issues it implements). */
  static final List<Need> EXPECTED =
      List.of(
          new Need(
              Scope.CLUSTER, "", List.of("services", "pods"), READ, "KubernetesSource informers"),
          new Need(
              Scope.CLUSTER,
              "discovery.k8s.io",
              List.of("endpointslices"),
              READ,
              "KubernetesSource informer"),
          new Need(
              Scope.CLUSTER,
              "",
              List.of("namespaces", "nodes"),
              READ,
              "KubernetesSource: discovery selectors and injection use namespace labels, node"
                  + " labels give endpoint locality"),
          new Need(
              Scope.CLUSTER,
              "",
              List.of("secrets"),
              READ,
              "KubernetesSource Secret informer in every watched namespace (gateway credentials)"),
          new Need(
              Scope.CLUSTER, "networking.istio.io", NETWORKING, READ, "Istio config informers"),
          new Need(
              Scope.CLUSTER,
              "networking.istio.io",
              status(NETWORKING),
              List.of("update"),
              "status.StatusWriter (leader): PUT on the status subresource"),
          new Need(Scope.CLUSTER, "security.istio.io", SECURITY, READ, "Istio config informers"),
          new Need(
              Scope.CLUSTER,
              "security.istio.io",
              status(SECURITY),
              List.of("update"),
              "status.StatusWriter (leader): PUT on the status subresource"),
          new Need(
              Scope.CLUSTER,
              "authentication.k8s.io",
              List.of("tokenreviews"),
              List.of("create"),
              "ca-citadel KubernetesJwtAuthenticator's TokenReviewer"),
          new Need(
              Scope.CLUSTER,
              "admissionregistration.k8s.io",
              List.of("mutatingwebhookconfigurations", "validatingwebhookconfigurations"),
              List.of("get", "list", "watch", "patch"),
              "webhook.CaBundlePatcher (leader): caBundle of the chart's webhooks"),
          new Need(
              Scope.CLUSTER,
              "",
              List.of("configmaps"),
              List.of("get", "list", "watch", "create", "update"),
              "rootcert.RootCertPublisher (leader): istio-ca-root-cert in every namespace; mesh"
                  + " and injector config"),
          new Need(
              Scope.RELEASE_NAMESPACE,
              "",
              List.of("secrets"),
              List.of("get", "list", "watch", "create"),
              "CA key material: cacerts, istio-ca-secret"),
          new Need(
              Scope.RELEASE_NAMESPACE,
              "coordination.k8s.io",
              List.of("leases"),
              List.of("get", "create", "patch"),
              "leader.LeaseLeadership: fabric8 LeaderElector on Lease istio-leader"));

  private static List<String> status(List<String> plurals) {
    return plurals.stream().map(p -> p + "/status").toList();
  }

  static Set<Access> expected(Scope scope) {
    Set<Access> out = new TreeSet<>();
    for (Need n : EXPECTED) {
      if (n.scope() == scope) {
        for (String r : n.resources()) {
          for (String v : n.verbs()) {
            out.add(new Access(n.group(), r, v));
          }
        }
      }
    }
    return out;
  }

  /** Everything the rules of a ClusterRole or Role grant; wildcards are refused. */
  static Set<Access> granted(JsonNode role) {
    Set<Access> out = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      assertThat(rule.has("resourceNames")).as("rule %s", rule).isFalse();
      for (JsonNode g : rule.path("apiGroups")) {
        for (JsonNode r : rule.path("resources")) {
          for (JsonNode v : rule.path("verbs")) {
            assertThat(List.of(g.asText(), r.asText(), v.asText()))
                .as("no wildcard in %s", rule)
                .doesNotContain("*");
            out.add(new Access(g.asText(), r.asText(), v.asText()));
          }
        }
      }
    }
    return out;
  }

  @Test
  void rolesGrantExactlyTheTableNoWildcards() {
    RenderedChart chart = RenderedChart.render(InstallChartTest.DEFAULT_NS);
    JsonNode clusterRole = chart.get("ClusterRole", "istiod-clusterrole-istio-system");
    JsonNode role = chart.get("Role", "istiod");

    assertThat(granted(clusterRole)).containsExactlyElementsOf(expected(Scope.CLUSTER));
    assertThat(granted(role)).containsExactlyElementsOf(expected(Scope.RELEASE_NAMESPACE));
    assertBound(chart, "ClusterRoleBinding", "istiod-clusterrole-istio-system", "ClusterRole");
    assertBound(chart, "RoleBinding", "istiod", "Role");
    assertThat(
            chart.get("Deployment", "istiod").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo("istiod");
  }

  @Test
  void everyIstioKindTheCodeModelsAndEveryChartCrdIsReadable() throws Exception {
    Set<Access> cluster =
        granted(
            RenderedChart.render(InstallChartTest.DEFAULT_NS)
                .get("ClusterRole", "istiod-clusterrole-istio-system"));
    for (IstioKind kind : IstioKind.values()) {
      for (String verb : READ) {
        assertThat(cluster).contains(new Access(kind.group(), kind.plural(), verb));
      }
    }
    if (RenderedChart.crdsFile().isPresent()) {
      String crds = Files.readString(RenderedChart.crdsFile().get());
      for (JsonNode crd : RenderedChart.parse(crds)) {
        String group = crd.at("/spec/group").asText();
        if (group.equals("networking.istio.io") || group.equals("security.istio.io")) {
          String plural = crd.at("/spec/names/plural").asText();
          assertThat(cluster).as("CRD %s", plural).contains(new Access(group, plural, "watch"));
        }
      }
    }
  }

  /**
   * Watch targets the leader's tasks add (this single replica leads): ConfigMaps in all namespaces
   * (RootCertPublisher) and the two webhook configurations (CaBundlePatcher). Its Namespaces watch
   * has the same target as the Namespace informer's, so it adds none.
   */
  static final int LEADER_WATCHES = 3;

  /**
   * Informers per watched namespace (or for all namespaces): Services, EndpointSlices, Pods,
   * Secrets and every Istio kind.
   */
  private static final int PER_SCOPE = 4 + IstioKind.values().length;

  /** Informers watched once: Namespaces, Nodes, the mesh ConfigMap in the release namespace. */
  private static final int ONCE = 3;

  @Test
  void controlPlaneOnDefaultValuesMakesOnlyGrantedCalls() throws Exception {
    assertRecordedCallsGranted(
        RenderedChart.render(InstallChartTest.DEFAULT_NS), PER_SCOPE + ONCE + LEADER_WATCHES);
  }

  @Test
  void controlPlaneWatchingTwoNamespacesMakesOnlyGrantedCalls() throws Exception {
    assertRecordedCallsGranted(
        RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS),
        2 * PER_SCOPE + ONCE + LEADER_WATCHES);
  }

  private void assertRecordedCallsGranted(RenderedChart chart, int informers) throws Exception {
    ControlPlane.Settings settings = ChartFlagsTest.serve(chart, podLike(chart));
    // A namespace for the leader to publish the CA root into (the setup's own calls are dropped).
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build())
        .create();
    drain(new ArrayList<>());
    List<ApiCall> calls = new ArrayList<>();
    try (ControlPlane cp =
        ControlPlane.start(
            settings, AdsXdsFrontend.factory(Clock.systemUTC()), Clock.systemUTC(), s -> client)) {
      // Informers list, then watch; wait until every list has its watch and a push went out.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                drain(calls);
                Set<String> lists = targets(calls, "list");
                return cp.ready()
                    && cp.leader()
                    && client.configMaps().inNamespace("app").withName("istio-ca-root-cert").get()
                        != null
                    && lists.size() >= informers
                    && targets(calls, "watch").containsAll(lists);
              });
    }
    drain(calls);

    Set<Access> cluster =
        granted(chart.get("ClusterRole", "istiod-clusterrole-" + chart.namespace()));
    Set<Access> inNamespace = granted(chart.get("Role", "istiod"));
    Set<Access> table = new TreeSet<>(expected(Scope.CLUSTER));
    table.addAll(expected(Scope.RELEASE_NAMESPACE));
    assertThat(targets(calls, "watch")).as("the informers' watches").hasSize(informers);
    for (ApiCall call : calls) {
      assertThat(table).as("%s is in the table of expected calls", call).contains(call.access());
      boolean ok =
          cluster.contains(call.access())
              || (chart.namespace().equals(call.namespace())
                  && inNamespace.contains(call.access()));
      assertThat(ok).as("%s is granted", call).isTrue();
    }
  }

  /**
   * Flag values that make the chart's arguments run in this JVM: every port 0 (any free one), and
   * every path into a mounted ConfigMap redirected to a copy of that file in a temporary directory.
   */
  private Map<String, String> podLike(RenderedChart chart) throws Exception {
    Map<String, String> files = chart.configMapFiles("istiod", "discovery");
    Map<String, String> replace = new HashMap<>();
    for (Map.Entry<String, String> f : ChartFlagsTest.flags(chart.istiodArgs()).entrySet()) {
      if (f.getKey().endsWith("-port")) {
        replace.put(f.getKey(), "0");
      } else if (f.getValue() != null && files.containsKey(f.getValue())) {
        Path copy = mounts.resolve(f.getValue().substring(1));
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, files.get(f.getValue()));
        replace.put(f.getKey(), copy.toString());
      }
    }
    return replace;
  }

  private void drain(List<ApiCall> calls) throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      calls.add(ApiCall.of(r.getMethod(), r.getPath()));
    }
  }

  /** "group/resource@namespace" of the calls with this verb. */
  private static Set<String> targets(List<ApiCall> calls, String verb) {
    return calls.stream()
        .filter(c -> c.access().verb().equals(verb))
        .map(c -> c.access().group() + "/" + c.access().resource() + "@" + c.namespace())
        .collect(Collectors.toSet());
  }

  private static void assertBound(RenderedChart chart, String kind, String name, String roleKind) {
    JsonNode binding = chart.get(kind, name);
    assertThat(binding.at("/roleRef/kind").asText()).isEqualTo(roleKind);
    assertThat(chart.find(roleKind, binding.at("/roleRef/name").asText())).isPresent();
    assertThat(binding.at("/subjects/0/kind").asText()).isEqualTo("ServiceAccount");
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("istiod");
    assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(chart.namespace());
    assertThat(binding.path("subjects").size()).isEqualTo(1);
  }
}
