package dev.meshctl.controlplane.install;

import java.util.Arrays;
import java.util.List;

/**
 * One Kubernetes API request as RBAC sees it: the {@link ChartRbacTest.Access} (group, resource,
 * verb) and the namespace ("" when cluster-wide). Parsed from an HTTP method and path the way the
 * API server's request info resolver does for resource requests. Immutable.
 */
record ApiCall(ChartRbacTest.Access access, String namespace, String method, String path) {

  static ApiCall of(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> segs = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (segs.size() >= 2 && segs.get(0).equals("api")) {
      group = "";
      rest = segs.subList(2, segs.size()); // api/v1/...
    } else if (segs.size() >= 3 && segs.get(0).equals("apis")) {
      group = segs.get(1);
      rest = segs.subList(3, segs.size()); // apis/group/version/...
    } else {
      throw new AssertionError("not a resource request: " + method + " " + pathAndQuery);
    }
    String namespace = "";
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty()) {
      throw new AssertionError("no resource in " + pathAndQuery);
    }
    String resource = rest.get(0);
    boolean named = rest.size() >= 2;
    if (rest.size() >= 3) {
      resource = resource + "/" + rest.get(2);
    }
    boolean watch = Arrays.asList(query.split("&")).contains("watch=true");
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new AssertionError("unexpected method " + method + " " + pathAndQuery);
        };
    return new ApiCall(new ChartRbacTest.Access(group, resource, verb), namespace, method, path);
  }

  @Override
  public String toString() {
    return method
        + " "
        + path
        + " ("
        + access
        + (namespace.isEmpty() ? "" : " in " + namespace)
        + ")";
  }
}
