package dev.meshctl.bench;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * What a client must request next, as Envoy derives it: the EDS names of a CDS response's EDS
 * clusters, and the RDS names of a LDS response's HTTP connection managers. Stateless; any thread.
 */
final class ReferencedNames {
  private static final String HCM_TYPE_URL =
      "type.googleapis.com/" + HttpConnectionManager.getDescriptor().getFullName();

  private ReferencedNames() {}

  /** EDS service names of the EDS clusters among {@code clusters}, sorted. */
  static List<String> edsNames(Collection<? extends Message> clusters) {
    TreeSet<String> out = new TreeSet<>();
    for (Message m : clusters) {
      if (m instanceof Cluster c && c.getType() == Cluster.DiscoveryType.EDS) {
        String service = c.getEdsClusterConfig().getServiceName();
        out.add(service.isEmpty() ? c.getName() : service);
      }
    }
    return new ArrayList<>(out);
  }

  /** RDS route config names of every HCM in {@code listeners}, sorted. */
  static List<String> rdsNames(Collection<? extends Message> listeners) {
    TreeSet<String> out = new TreeSet<>();
    for (Message m : listeners) {
      if (!(m instanceof Listener l)) {
        continue;
      }
      List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
      if (l.hasDefaultFilterChain()) {
        chains.add(l.getDefaultFilterChain());
      }
      for (FilterChain chain : chains) {
        for (Filter f : chain.getFiltersList()) {
          if (f.hasTypedConfig()) {
            addRds(f.getTypedConfig(), out);
          }
        }
      }
      if (l.hasApiListener()) {
        addRds(l.getApiListener().getApiListener(), out);
      }
    }
    return new ArrayList<>(out);
  }

  /** Unpacks the resources of a response of {@code typeUrl}. */
  static List<Message> unpack(List<Any> resources, Class<? extends Message> type) {
    List<Message> out = new ArrayList<>(resources.size());
    for (Any any : resources) {
      try {
        out.add(any.unpack(type));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("server sent an unparseable " + type.getSimpleName(), e);
      }
    }
    return out;
  }

  private static void addRds(Any typedConfig, TreeSet<String> out) {
    if (!typedConfig.getTypeUrl().equals(HCM_TYPE_URL)) {
      return;
    }
    try {
      HttpConnectionManager hcm = typedConfig.unpack(HttpConnectionManager.class);
      if (hcm.hasRds()) {
        out.add(hcm.getRds().getRouteConfigName());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("server sent an unparseable HttpConnectionManager", e);
    }
  }
}
