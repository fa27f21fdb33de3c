package sluice.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Kinesis clients of the AWS SDK for Java v2 pointed at a SluiceServer over a Transport: region
 * us-east-1, static credentials, retries off (a test sees every error), HTTPS trusting only the
 * certificate the server made. Each client records the Content-Type of every request it sends
 * (contentTypes), so a test can tell CBOR from JSON on the wire.
 */
final class Clients {
  /** The wire format this JVM's clients use: the Surefire execution sets it with aws.cborEnabled. */
  static final String EXPECTED_CONTENT_TYPE =
      System.getProperty("sluice.expectedContentType", "application/x-amz-cbor-1.1");

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  /** Content-Type headers of the requests sent by the clients made here. */
  final Set<String> contentTypes = ConcurrentHashMap.newKeySet();

  private final SluiceServer server;

  Clients(SluiceServer server) {
    this.server = server;
  }

  /**
   * A KinesisClient over `transport`. For an async transport the calls go to a KinesisAsyncClient
   * (the same method with the same request, its future awaited for at most 20 s), so one test
   * body covers both SDK clients.
   */
  KinesisClient kinesis(Transport transport) throws IOException, GeneralSecurityException {
    if (!transport.async) return syncClient(transport);
    KinesisAsyncClient async = asyncClient(transport, Duration.ofSeconds(10));
    return (KinesisClient) Proxy.newProxyInstance(KinesisClient.class.getClassLoader(),
        new Class<?>[] {KinesisClient.class}, (proxy, method, args) -> awaitAsync(async, method, args));
  }

  KinesisClient syncClient(Transport transport) throws IOException, GeneralSecurityException {
    ApacheHttpClient.Builder http = ApacheHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(CALL_TIMEOUT);
    if (transport.tls) http.tlsTrustManagersProvider(this::trustManagers);
    return KinesisClient.builder()
        .endpointOverride(transport.tls ? server.httpsEndpoint() : server.httpEndpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClientBuilder(http)
        .overrideConfiguration(overrides().apiCallTimeout(CALL_TIMEOUT).build())
        .build();
  }

  /** An async client on Netty speaking HTTP/2; `readTimeout`: Netty's read timeout. */
  KinesisAsyncClient asyncClient(Transport transport, Duration readTimeout)
      throws IOException, GeneralSecurityException {
    NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
        .protocol(Protocol.HTTP2)
        .connectionTimeout(Duration.ofSeconds(5))
        .readTimeout(readTimeout);
    if (transport.tls) {
      http.tlsTrustManagersProvider(this::trustManagers);
      http.protocolNegotiation(transport.alpn ? ProtocolNegotiation.ALPN : ProtocolNegotiation.ASSUME_PROTOCOL);
    }
    return KinesisAsyncClient.builder()
        .endpointOverride(transport.tls ? server.httpsEndpoint() : server.httpEndpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClientBuilder(http)
        .overrideConfiguration(overrides().build())
        .build();
  }

  static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSLUICEJAVA", "sluice-secret"));
  }

  private ClientOverrideConfiguration.Builder overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .addExecutionInterceptor(new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            context.httpRequest().firstMatchingHeader("Content-Type").ifPresent(contentTypes::add);
          }
        });
  }

  /** A trust store holding only the server's certificate. */
  private TrustManager[] trustManagers() {
    try (InputStream pem = Files.newInputStream(server.certificate())) {
      Certificate certificate = CertificateFactory.getInstance("X.509").generateCertificate(pem);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("sluice", certificate);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust " + server.certificate(), e);
    }
  }

  /** Calls KinesisAsyncClient's method of the same name and parameters and awaits its future. */
  private static Object awaitAsync(KinesisAsyncClient async, Method method, Object[] args) throws Throwable {
    Method target = KinesisAsyncClient.class.getMethod(method.getName(), method.getParameterTypes());
    Object result;
    try {
      result = target.invoke(async, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (!(result instanceof CompletableFuture<?> future)) return result;  // close(), serviceName()
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      throw e.getCause();
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(method.getName() + " did not complete within " + CALL_TIMEOUT, e);
    }
  }
}
