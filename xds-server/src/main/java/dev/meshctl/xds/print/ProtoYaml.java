package dev.meshctl.xds.print;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.util.Collection;
import java.util.List;

/**
 * Prints protos (xDS resources) as YAML, deterministically: proto field names ({@code stat_prefix},
 * as in Envoy's docs), keys in proto declaration order, map entries in the order the proto holds
 * them, {@code Any} payloads expanded with their {@code @type}. The one printer of the project:
 * golden files and debug endpoints use it, so they read the same. Stateless and thread-safe.
 */
public final class ProtoYaml {
  private static final JsonFormat.TypeRegistry REGISTRY = buildRegistry();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(REGISTRY).preservingProtoFieldNames();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              // Route config "9080" must read back as a string, not a number.
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .build());

  private ProtoYaml() {}

  /**
   * Every type we pack into an {@code Any} (the registry also takes every type their files import).
   * A type missing here makes {@link #print} fail loudly rather than print something partial; add
   * new filter configs as they are generated.
   */
  public static List<Descriptor> anyTypes() {
    return List.of(
        io.envoyproxy.envoy.config.cluster.v3.Cluster.getDescriptor(),
        io.envoyproxy.envoy.config.listener.v3.Listener.getDescriptor(),
        io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDescriptor(),
        io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
            .HttpConnectionManager.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor(),
        io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
            .PreviousPrioritiesConfig.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
            .getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDescriptor(),
        io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor());
  }

  private static JsonFormat.TypeRegistry buildRegistry() {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    anyTypes().forEach(b::add);
    return b.build();
  }

  /** One message as a YAML document (no leading {@code ---}), ending with a newline. */
  public static String print(MessageOrBuilder message) {
    try {
      String json;
      try {
        json = PRINTER.print(message);
      } catch (InvalidProtocolBufferException unknownType) {
        // A type we never pack ourselves (an EnvoyFilter's Lua filter, say): resolve every packed
        // type of this message by Envoy's class naming and print with those added.
        json = printerFor(message).print(message);
      }
      return YAML.writeValueAsString(JSON.readTree(json));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "cannot print " + message.getDescriptorForType().getFullName() + ": " + e.getMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JsonFormat produced invalid JSON", e);
    }
  }

  private static final dev.meshctl.xds.validate.PgvValidator TYPES =
      new dev.meshctl.xds.validate.PgvValidator();

  private static JsonFormat.Printer printerFor(MessageOrBuilder message) {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    anyTypes().forEach(b::add);
    java.util.ArrayDeque<MessageOrBuilder> todo = new java.util.ArrayDeque<>(List.of(message));
    while (!todo.isEmpty()) {
      MessageOrBuilder m = todo.poll();
      if (m instanceof com.google.protobuf.Any any) {
        TYPES
            .prototype(any.getTypeUrl())
            .ifPresent(
                p -> {
                  b.add(p.getDescriptorForType());
                  try {
                    todo.add(p.getParserForType().parseFrom(any.getValue()));
                  } catch (InvalidProtocolBufferException e) {
                    // Printed as unreadable below, with the type named.
                  }
                });
        continue;
      }
      m.getAllFields()
          .forEach(
              (f, v) -> {
                if (f.getJavaType()
                    != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
                  return;
                }
                if (f.isRepeated()) {
                  ((List<?>) v).forEach(x -> todo.add((MessageOrBuilder) x));
                } else {
                  todo.add((MessageOrBuilder) v);
                }
              });
    }
    return JsonFormat.printer().usingTypeRegistry(b.build()).preservingProtoFieldNames();
  }

  /** Messages as a multi-document YAML text, in the given order, separated by {@code ---}. */
  public static String printAll(Collection<? extends MessageOrBuilder> messages) {
    StringBuilder out = new StringBuilder();
    boolean first = true;
    for (MessageOrBuilder m : messages) {
      if (!first) {
        out.append("---\n");
      }
      first = false;
      out.append(print(m));
    }
    return out.toString();
  }
}
