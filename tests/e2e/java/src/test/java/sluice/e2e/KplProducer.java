package sluice.e2e;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.ListenableFuture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The KPL's side of KplTest, run in a JVM of its own (the KPL's protobuf 3 code cannot share one
 * with the KCL's protobuf 4):
 *
 * <pre>java -cp … sluice.e2e.KplProducer PORT STREAM KEYS PER_KEY</pre>
 *
 * adds PER_KEY user records ("user-K#N") for each of KEYS keys ("user-K"), key after key, to the
 * stream on Sluice at localhost:PORT (TLS only), waits until every one is put, and prints
 * "put U user records in R Kinesis records". Exits 1 when a record failed or was not put in 60 s.
 */
final class KplProducer {
  private KplProducer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String stream = args[1];
    int keys = Integer.parseInt(args[2]);
    int perKey = Integer.parseInt(args[3]);
    KinesisProducer kpl = new KinesisProducer(configuration(port));
    try {
      List<ListenableFuture<UserRecordResult>> results = new ArrayList<>();
      for (int n = 1; n <= perKey; n++) {
        for (int k = 0; k < keys; k++) {
          String data = "user-" + k + "#" + n;
          results.add(kpl.addUserRecord(stream, "user-" + k, ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))));
        }
      }
      kpl.flush();
      Set<String> kinesisRecords = new HashSet<>();
      for (ListenableFuture<UserRecordResult> f : results) {
        UserRecordResult result = f.get(60, TimeUnit.SECONDS);
        if (!result.isSuccessful()) {
          System.out.println("a user record failed: " + result.getAttempts());
          System.exit(1);
        }
        kinesisRecords.add(result.getShardId() + "/" + result.getSequenceNumber());
      }
      System.out.println("put " + results.size() + " user records in " + kinesisRecords.size() + " Kinesis records");
    } finally {
      kpl.destroy();
    }
    System.exit(0);
  }

  /**
   * The KPL pointed at Sluice: Kinesis, CloudWatch (its metrics) and STS (the account of the
   * stream's ARN) on the server's port, over TLS without verifying the self-signed certificate;
   * aggregation on (its default); records sent within 500 ms of being added.
   */
  static KinesisProducerConfiguration configuration(int port) {
    return new KinesisProducerConfiguration()
        .setRegion("us-east-1")
        .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("AKIDSLUICEKPL", "secret")))
        .setKinesisEndpoint("localhost")
        .setKinesisPort(port)
        .setCloudwatchEndpoint("localhost")
        .setCloudwatchPort(port)
        .setStsEndpoint("localhost")
        .setStsPort(port)
        .setVerifyCertificate(false)
        .setAggregationEnabled(true)
        .setRecordMaxBufferedTime(500)
        .setLogLevel("warning");
  }
}
