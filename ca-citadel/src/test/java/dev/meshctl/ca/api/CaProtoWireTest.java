package dev.meshctl.ca.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.WireFormat;
import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wire compatibility with istio/api {@code security/v1alpha1/ca.proto} (package {@code
 * istio.v1.auth}): {@code IstioCertificateRequest{string csr = 1; int64 validity_duration = 3;
 * google.protobuf.Struct metadata = 4}} (field 2, {@code subject_id}, was removed upstream), {@code
 * IstioCertificateResponse{repeated string cert_chain = 1}}, and the method {@code
 * istio.v1.auth.IstioCertificateService/CreateCertificate}. The "other side" here is an encoder and
 * decoder written from those field numbers and wire types with protobuf's raw coded streams,
 * independent of our generated classes.
 */
class CaProtoWireTest {
  @Test
  void methodNameOnTheWireIsIstios() {
    assertThat(IstioCertificateServiceGrpc.getCreateCertificateMethod().getFullMethodName())
        .isEqualTo("istio.v1.auth.IstioCertificateService/CreateCertificate");
    assertThat(IstioCertificateRequest.getDescriptor().getFullName())
        .isEqualTo("istio.v1.auth.IstioCertificateRequest");
    assertThat(IstioCertificateResponse.getDescriptor().getFullName())
        .isEqualTo("istio.v1.auth.IstioCertificateResponse");
  }

  @Test
  void fieldNumbersAndTypesAreIstios() {
    List<String> request = new ArrayList<>();
    for (FieldDescriptor f : IstioCertificateRequest.getDescriptor().getFields()) {
      request.add(f.getNumber() + ":" + f.getName() + ":" + f.getType() + ":" + f.isRepeated());
    }
    assertThat(request)
        .containsExactly(
            "1:csr:STRING:false", "3:validity_duration:INT64:false", "4:metadata:MESSAGE:false");
    assertThat(IstioCertificateRequest.getDescriptor().findFieldByNumber(4).getMessageType())
        .isEqualTo(Struct.getDescriptor());
    FieldDescriptor chain = IstioCertificateResponse.getDescriptor().findFieldByNumber(1);
    assertThat(chain.getName() + ":" + chain.getType() + ":" + chain.isRepeated())
        .isEqualTo("cert_chain:STRING:true");
  }

  @Test
  void requestEncodedByHandDecodesIntoOurMessage() throws Exception {
    Struct metadata =
        Struct.newBuilder()
            .putFields("CertSigner", Value.newBuilder().setStringValue("signer-a").build())
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(1, "-----BEGIN CERTIFICATE REQUEST-----\n");
    out.writeString(2, "legacy-subject-id"); // old istio-agents sent subject_id; it is ignored
    out.writeInt64(3, 86400L);
    out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(metadata.getSerializedSize());
    metadata.writeTo(out);
    out.flush();

    IstioCertificateRequest r = IstioCertificateRequest.parseFrom(bytes.toByteArray());

    assertThat(r.getCsr()).isEqualTo("-----BEGIN CERTIFICATE REQUEST-----\n");
    assertThat(r.getValidityDuration()).isEqualTo(86400L);
    assertThat(r.getMetadata()).isEqualTo(metadata);
  }

  @Test
  void ourResponseDecodesByHandAsRepeatedStringsInOrder() throws Exception {
    byte[] wire =
        IstioCertificateResponse.newBuilder()
            .addCertChain("leaf-pem")
            .addCertChain("root-pem")
            .build()
            .toByteArray();

    List<String> decoded = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(wire);
    int tag;
    while ((tag = in.readTag()) != 0) {
      assertThat(WireFormat.getTagFieldNumber(tag)).isEqualTo(1);
      assertThat(WireFormat.getTagWireType(tag)).isEqualTo(WireFormat.WIRETYPE_LENGTH_DELIMITED);
      decoded.add(in.readString());
    }

    assertThat(decoded).containsExactly("leaf-pem", "root-pem");
  }

  @Test
  void ourRequestDecodesByHandWithIstiosFieldNumbers() throws Exception {
    byte[] wire =
        IstioCertificateRequest.newBuilder()
            .setCsr("csr-pem")
            .setValidityDuration(3600)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("ClusterID", Value.newBuilder().setStringValue("c1").build()))
            .build()
            .toByteArray();

    CodedInputStream in = CodedInputStream.newInstance(wire);
    String csr = null;
    long ttl = -1;
    Struct metadata = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> csr = in.readString();
        case 3 -> ttl = in.readInt64();
        case 4 -> metadata = Struct.parseFrom(in.readBytes());
        default ->
            throw new AssertionError("unexpected field " + WireFormat.getTagFieldNumber(tag));
      }
    }

    assertThat(csr).isEqualTo("csr-pem");
    assertThat(ttl).isEqualTo(3600);
    assertThat(metadata.getFieldsOrThrow("ClusterID").getStringValue()).isEqualTo("c1");
  }
}
