package dev.meshctl.ca.testing;

import dev.meshctl.ca.pki.Pem;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** grpc-java client channels for tests, configured as istio-agent configures its CA client. */
public final class GrpcPeers {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> CLUSTER_ID =
      Metadata.Key.of("ClusterID", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcPeers() {}

  /**
   * A TLS channel to {@code localhost:port} that verifies the server against {@code root} and host
   * name {@code authority}, presents {@code clientChain}/{@code clientKey} if non-null, and sends
   * {@code bearerToken} (if non-null) and {@code ClusterID: Kubernetes} as istio-agent does. Server
   * chains seen are recorded in {@code seenServerChains} if non-null.
   */
  public static ManagedChannel channel(
      int port,
      String authority,
      X509Certificate root,
      List<X509Certificate> clientChain,
      PrivateKey clientKey,
      String bearerToken,
      List<List<X509Certificate>> seenServerChains)
      throws Exception {
    TlsChannelCredentials.Builder creds =
        TlsChannelCredentials.newBuilder().trustManager(recording(root, seenServerChains));
    if (clientChain != null) {
      creds.keyManager(
          new ByteArrayInputStream(TestPki.bytes(Pem.encodeAll(clientChain))),
          new ByteArrayInputStream(TestPki.bytes(Pem.encode(clientKey))));
    }
    Metadata headers = new Metadata();
    headers.put(CLUSTER_ID, "Kubernetes");
    if (bearerToken != null) {
      headers.put(AUTHORIZATION, "Bearer " + bearerToken);
    }
    ClientInterceptor attach = MetadataUtils.newAttachHeadersInterceptor(headers);
    return Grpc.newChannelBuilder("localhost:" + port, creds.build())
        .overrideAuthority(authority)
        .intercept(attach)
        .build();
  }

  public static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static X509ExtendedTrustManager recording(
      X509Certificate root, List<List<X509Certificate>> seen) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("root", root);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    X509ExtendedTrustManager real = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
    List<List<X509Certificate>> sink = seen == null ? new CopyOnWriteArrayList<>() : seen;
    return new X509ExtendedTrustManager() {
      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        real.checkServerTrusted(chain, authType, engine);
        sink.add(List.of(chain));
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        real.checkServerTrusted(chain, authType, socket);
        sink.add(List.of(chain));
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws CertificateException {
        real.checkServerTrusted(chain, authType);
        sink.add(List.of(chain));
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        real.checkClientTrusted(chain, authType, engine);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        real.checkClientTrusted(chain, authType, socket);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType)
          throws CertificateException {
        real.checkClientTrusted(chain, authType);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return real.getAcceptedIssuers();
      }
    };
  }
}
