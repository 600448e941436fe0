package dev.meshctl.ca.server;

import dev.meshctl.ca.CertificateAuthority;
import dev.meshctl.ca.CertificateRequestException;
import dev.meshctl.ca.IssuedChain;
import dev.meshctl.ca.SpiffeId;
import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's {@code istio.v1.auth.IstioCertificateService}: signs the caller's CSR for the caller's
 * own identity. Must run behind an {@link AuthenticatingInterceptor} (use {@link #bind}). Status
 * codes: {@code UNAUTHENTICATED} (no or bad credentials, impersonation), {@code PERMISSION_DENIED}
 * (CSR asks for another identity), {@code INVALID_ARGUMENT} (bad CSR, key or lifetime), {@code
 * FAILED_PRECONDITION} (the CA's own chain expired). Thread-safe.
 */
public final class CertificateService
    extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {
  /** Metadata key istiod uses for node-agent impersonation, which we do not support yet. */
  static final String IMPERSONATED_IDENTITY = "ImpersonatedIdentity";

  private static final Logger log = LoggerFactory.getLogger(CertificateService.class);

  private final CertificateAuthority ca;

  public CertificateService(CertificateAuthority ca) {
    this.ca = ca;
  }

  /** The service wrapped in authentication, ready for a {@code ServerBuilder}. */
  public static ServerServiceDefinition bind(
      CertificateAuthority ca, List<Authenticator> authenticators) {
    return ServerInterceptors.intercept(
        new CertificateService(ca), new AuthenticatingInterceptor(authenticators));
  }

  @Override
  public void createCertificate(
      IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
    Caller caller = AuthenticatingInterceptor.CALLER.get();
    if (caller == null) {
      response.onError(
          Status.UNAUTHENTICATED
              .withDescription("no authenticated caller (service bound without authentication)")
              .asRuntimeException());
      return;
    }
    var impersonate = request.getMetadata().getFieldsMap().get(IMPERSONATED_IDENTITY);
    if (impersonate != null && !impersonate.getStringValue().isEmpty()) {
      response.onError(
          Status.UNAUTHENTICATED
              .withDescription(
                  "identity impersonation (metadata ImpersonatedIdentity) is not" + " supported")
              .asRuntimeException());
      return;
    }
    SpiffeId identity = ca.identity(caller.namespace(), caller.serviceAccount());
    try {
      IssuedChain chain =
          ca.signWorkload(
              request.getCsr(), identity, Duration.ofSeconds(request.getValidityDuration()));
      log.info(
          "event=ca_certificate_issued identity={} auth={} serial={} not_after={}",
          identity,
          caller.method(),
          chain.leaf().getSerialNumber().toString(16),
          chain.leaf().getNotAfter().toInstant());
      response.onNext(
          IstioCertificateResponse.newBuilder().addAllCertChain(chain.toResponsePem()).build());
      response.onCompleted();
    } catch (CertificateRequestException e) {
      log.info(
          "event=ca_request_refused identity={} reason={} message=\"{}\"",
          identity,
          e.reason(),
          e.getMessage());
      response.onError(statusFor(e).withDescription(e.getMessage()).asRuntimeException());
    }
  }

  private static Status statusFor(CertificateRequestException e) {
    return switch (e.reason()) {
      case IDENTITY_MISMATCH -> Status.PERMISSION_DENIED;
      case MALFORMED, UNSUPPORTED_KEY, TTL_TOO_LONG -> Status.INVALID_ARGUMENT;
      case CA_UNAVAILABLE -> Status.FAILED_PRECONDITION;
    };
  }
}
