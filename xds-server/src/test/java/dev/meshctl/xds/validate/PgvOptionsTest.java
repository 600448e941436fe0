package dev.meshctl.xds.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PGV options are really read, both as resolved extensions and from unknown fields. */
class PgvOptionsTest {

  @Test
  void readsResolvedExtensionsFromGeneratedDescriptors() {
    FieldRules port =
        PgvOptions.fieldRules(SocketAddress.getDescriptor().findFieldByName("port_value"));
    assertThat(port.getUint32().getLte()).isEqualTo(65535);
    FieldRules name =
        PgvOptions.fieldRules(
            ClusterLoadAssignment.getDescriptor().findFieldByName("cluster_name"));
    assertThat(name.getString().getMinLen()).isEqualTo(1);
    FieldRules timeout =
        PgvOptions.fieldRules(Cluster.getDescriptor().findFieldByName("connect_timeout"));
    assertThat(timeout.getDuration().hasGt()).isTrue();
    assertThat(timeout.getDuration().getGt().getSeconds()).isZero();
    assertThat(PgvOptions.oneofRequired(Address.getDescriptor().getRealOneofs().get(0))).isTrue();
    assertThat(PgvOptions.fieldRules(Cluster.getDescriptor().findFieldByName("alt_stat_name")))
        .isNull();
  }

  @Test
  void reparsesRulesLeftAsUnknownFields() throws Exception {
    FieldOptions resolved =
        SocketAddress.getDescriptor().findFieldByName("port_value").getOptions();
    FieldOptions raw = FieldOptions.parseFrom(resolved.toByteString());
    assertThat(raw.hasExtension(Validate.rules)).isFalse();
    assertThat(raw.getUnknownFields().hasField(1071)).isTrue();
    assertThat(PgvOptions.fieldRules(raw)).isEqualTo(resolved.getExtension(Validate.rules));
  }

  @Test
  void validatesDynamicMessagesOfDescriptorsBuiltWithoutTheRegistry() throws Exception {
    // Rebuild address.proto from bytes parsed without any extension registry, as a descriptor set
    // read at run time would be: its options carry the PGV rules only as unknown fields.
    FileDescriptor original = Address.getDescriptor().getFile();
    FileDescriptorProto proto = FileDescriptorProto.parseFrom(original.toProto().toByteString());
    FileDescriptor rebuilt =
        FileDescriptor.buildFrom(proto, original.getDependencies().toArray(new FileDescriptor[0]));
    Descriptor socketAddress = rebuilt.findMessageTypeByName("SocketAddress");
    Descriptor address = rebuilt.findMessageTypeByName("Address");
    assertThat(PgvOptions.oneofRequired(address.getRealOneofs().get(0))).isTrue();
    assertThat(
            PgvOptions.fieldRules(socketAddress.findFieldByName("port_value")).getUint32().getLte())
        .isEqualTo(65535);

    DynamicMessage bad =
        DynamicMessage.newBuilder(socketAddress)
            .setField(socketAddress.findFieldByName("address"), "10.0.0.1")
            .setField(socketAddress.findFieldByName("port_value"), 70000)
            .build();
    PgvValidator validator = new PgvValidator(List.of(socketAddress));
    assertThat(validator.validate(bad))
        .extracting(Object::toString)
        .containsExactly("port_value: must be <= 65535, got 70000");
    assertThat(validator.validate(DynamicMessage.getDefaultInstance(address)))
        .extracting(Object::toString)
        .containsExactly(
            "address: exactly one of [socket_address, pipe, envoy_internal_address] is required");
  }
}
