package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.InvalidParameterValueException;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * CloudWatch as the KCL publishes its metrics to it: the AWS SDK for Java v2's CloudWatch clients
 * (Smithy RPC v2 CBOR; the sync client on the Apache client over HTTP/1.1, the async one on Netty
 * over h2c) put, list and read back statistics, and get the service's exceptions.
 */
class CloudWatchTest {
  private static SluiceServer server;
  /** Content-Type and smithy-protocol of every request sent, to prove the protocol on the wire. */
  private static final Set<String> sent = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startServer() throws Exception {
    server = SluiceServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .apiCallTimeout(Duration.ofSeconds(20))
        .addExecutionInterceptor(new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            sent.add(context.httpRequest().firstMatchingHeader("Content-Type").orElse("") + " "
                + context.httpRequest().firstMatchingHeader("smithy-protocol").orElse(""));
          }
        })
        .build();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSLUICEJAVA", "sluice-secret"));
  }

  private static CloudWatchClient syncClient() {
    return CloudWatchClient.builder()
        .endpointOverride(server.httpEndpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)))
        .overrideConfiguration(overrides())
        .build();
  }

  private static CloudWatchAsyncClient asyncClient() {
    return CloudWatchAsyncClient.builder()
        .endpointOverride(server.httpEndpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
            .connectionTimeout(Duration.ofSeconds(5)))
        .overrideConfiguration(overrides())
        .build();
  }

  @Test
  void theSyncClientPutsListsAndReadsBackStatisticsInCbor() {
    String namespace = Streams.uniqueName("KinesisClientLibrary");
    Dimension shard = Dimension.builder().name("ShardId").value("shardId-000000000000").build();
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    try (CloudWatchClient cw = syncClient()) {
      cw.putMetricData(r -> r.namespace(namespace).metricData(
          MetricDatum.builder().metricName("RecordsProcessed").dimensions(shard).value(3.0)
              .unit(StandardUnit.COUNT).timestamp(minute.plusMillis(1500)).build(),
          MetricDatum.builder().metricName("RecordsProcessed").dimensions(shard).values(1.0, 2.0)
              .counts(2.0, 1.0).unit(StandardUnit.COUNT).timestamp(minute.plusSeconds(30)).build(),
          MetricDatum.builder().metricName("Time").value(12.5).unit(StandardUnit.MILLISECONDS)
              .storageResolution(1).build()));

      List<Metric> metrics = cw.listMetrics(r -> r.namespace(namespace)).metrics();
      assertEquals(Set.of("RecordsProcessed", "Time"),
          Set.copyOf(metrics.stream().map(Metric::metricName).toList()));
      List<Datapoint> points = cw.getMetricStatistics(r -> r.namespace(namespace).metricName("RecordsProcessed")
          .dimensions(shard).startTime(minute.minusSeconds(600)).endTime(minute.plusSeconds(120)).period(60)
          .statistics(Statistic.SAMPLE_COUNT, Statistic.SUM, Statistic.MINIMUM, Statistic.MAXIMUM,
              Statistic.AVERAGE)).datapoints();
      assertEquals(1, points.size(), points.toString());
      Datapoint p = points.get(0);
      assertEquals(minute, p.timestamp());
      assertEquals(4.0, p.sampleCount());
      assertEquals(7.0, p.sum());
      assertEquals(1.0, p.minimum());
      assertEquals(3.0, p.maximum());
      assertEquals(1.75, p.average());
      assertEquals(StandardUnit.COUNT, p.unit());
    }
    assertTrue(sent.contains("application/cbor rpc-v2-cbor"), "requests sent: " + sent);
  }

  @Test
  void theAsyncClientOverH2cPutsAThousandDatumsAndPagesThroughThem() throws Exception {
    String namespace = Streams.uniqueName("App");
    List<MetricDatum> data = new ArrayList<>();
    IntStream.range(0, 1000).forEach(i -> data.add(MetricDatum.builder().metricName("m")
        .dimensions(Dimension.builder().name("Worker").value("w" + i).build()).value((double) i).build()));
    try (CloudWatchAsyncClient cw = asyncClient()) {
      cw.putMetricData(r -> r.namespace(namespace).metricData(data)).get();
      List<Metric> all = new ArrayList<>();
      String token = null;
      do {
        final String next = token;
        var page = cw.listMetrics(r -> r.namespace(namespace).nextToken(next)).get();
        all.addAll(page.metrics());
        token = page.nextToken();
      } while (token != null);
      assertEquals(1000, all.size());
    }
  }

  @Test
  void invalidPutsAreTheServiceExceptionsWithItsMessages() {
    try (CloudWatchClient cw = syncClient()) {
      InvalidParameterValueException reserved = assertThrows(InvalidParameterValueException.class,
          () -> cw.putMetricData(r -> r.namespace("AWS/Kinesis")
              .metricData(MetricDatum.builder().metricName("m").value(1.0).build())));
      assertEquals(400, reserved.statusCode());
      assertEquals("The value AWS/Kinesis for parameter Namespace is invalid.",
          reserved.awsErrorDetails().errorMessage());
      InvalidParameterValueException tooMany = assertThrows(InvalidParameterValueException.class,
          () -> cw.putMetricData(r -> r.namespace("App").metricData(IntStream.range(0, 1001)
              .mapToObj(i -> MetricDatum.builder().metricName("m" + i).value(1.0).build()).toList())));
      assertEquals("The collection MetricData must not have a size greater than 1000.",
          tooMany.awsErrorDetails().errorMessage());
    }
  }
}
