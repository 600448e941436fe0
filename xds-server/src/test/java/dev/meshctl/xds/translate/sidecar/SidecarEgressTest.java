package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Egress host forms of a Sidecar resource against a service host in a namespace. */
class SidecarEgressTest {
  @ParameterizedTest(name = "{0} vs {2}/{3} -> {4}")
  @CsvSource({
    // spec, proxy ns, service ns, host, imported
    "./*, shop, shop, cart.shop.svc.cluster.local, true",
    "./*, shop, blog, post.blog.svc.cluster.local, false",
    "*/*, shop, blog, post.blog.svc.cluster.local, true",
    "blog/*, shop, blog, post.blog.svc.cluster.local, true",
    "blog/post.blog.svc.cluster.local, shop, blog, post.blog.svc.cluster.local, true",
    "blog/other.blog.svc.cluster.local, shop, blog, post.blog.svc.cluster.local, false",
    "*/*.example.com, shop, ext, api.example.com, true",
    "*/*.example.com, shop, ext, example.com, false",
    "~/*, shop, shop, cart.shop.svc.cluster.local, false",
    "*/API.EXAMPLE.COM, shop, ext, api.example.com, true",
    "no-namespace-part, shop, shop, no-namespace-part, false",
  })
  void matches(String spec, String proxyNs, String ns, String host, boolean imported) {
    assertThat(SidecarEgress.matches(spec, proxyNs, ns, host)).isEqualTo(imported);
  }
}
