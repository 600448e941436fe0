package dev.meshctl.ca.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call with the first {@link Authenticator} that recognises a credential and
 * makes the {@link Caller} available to the service through {@link #CALLER}. A call with no
 * credential, or only invalid ones, is closed with {@code UNAUTHENTICATED} and a message saying
 * what was expected or what was wrong. Thread-safe.
 */
public final class AuthenticatingInterceptor implements ServerInterceptor {
  /** The authenticated caller of the current call. */
  public static final Context.Key<Caller> CALLER = Context.key("meshctl-ca-caller");

  private static final Logger log = LoggerFactory.getLogger(AuthenticatingInterceptor.class);

  private final List<Authenticator> authenticators;

  public AuthenticatingInterceptor(List<Authenticator> authenticators) {
    if (authenticators.isEmpty()) {
      throw new IllegalArgumentException("at least one authenticator is required");
    }
    this.authenticators = List.copyOf(authenticators);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    List<String> failures = new ArrayList<>();
    for (Authenticator a : authenticators) {
      try {
        Optional<Caller> caller = a.authenticate(headers, tls);
        if (caller.isPresent()) {
          Context ctx = Context.current().withValue(CALLER, caller.get());
          return Contexts.interceptCall(ctx, call, headers, next);
        }
      } catch (AuthenticationException e) {
        failures.add(a.name() + ": " + e.getMessage());
      }
    }
    String message;
    if (failures.isEmpty()) {
      List<String> expected = new ArrayList<>();
      for (Authenticator a : authenticators) {
        expected.add(a.expects());
      }
      message = "no credentials: send " + String.join(" or ", expected);
    } else {
      message = "authentication failed: " + String.join("; ", failures);
    }
    log.info(
        "event=ca_unauthenticated method={} peer={} reason=\"{}\"",
        call.getMethodDescriptor().getFullMethodName(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        message);
    call.close(Status.UNAUTHENTICATED.withDescription(message), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
