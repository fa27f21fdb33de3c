package sluice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The Kinesis Producer Library 0.15, unmodified (its native binary, from the Maven jar), against
 * one `sluice serve --tls --tls-port P`: it aggregates user records into Kinesis records and puts
 * them over TLS to port P, which serves only TLS (the KPL speaks only HTTPS), and a KCL 3.x worker
 * on the server's plain port de-aggregates them.
 * The KPL runs in a JVM of its own (KplProducer): its Java side is protobuf 3 generated code,
 * which the protobuf 4 runtime the KCL needs cannot run.
 */
class KplTest {
  private static final int SHARDS = 4;
  private static final int KEYS = 16;
  private static final int PER_KEY = 200;
  private static final Pattern PUT = Pattern.compile("put (\\d+) user records in (\\d+) Kinesis records");

  @Test
  @Timeout(180)
  void aggregatedUserRecordsPutOverTlsAllReachTheKclInEachShardsOrder() throws Exception {
    try (SluiceServer server = SluiceServer.start("--tls", "--tls-port", String.valueOf(SluiceServer.freePort()))) {
      KinesisClient kinesis = new Clients(server).syncClient(Transport.APACHE_HTTP11);
      String stream = Streams.uniqueName("kpl");
      Streams.create(kinesis, stream, SHARDS);
      // The KPL's port answers no plain HTTP: what the KPL puts there came over TLS.
      assertPlainHttpRefused(server.tlsPort());

      String output = runProducer(server, stream);
      Matcher put = PUT.matcher(output);
      assertTrue(put.find(), "the KPL's run:\n" + output + "\nserver log:\n" + server.log());
      assertEquals(KEYS * PER_KEY, Integer.parseInt(put.group(1)));
      // Aggregated: two or more user records per Kinesis record on average (how many depends on timing).
      assertTrue(Integer.parseInt(put.group(2)) <= KEYS * PER_KEY / 2, "aggregated: " + put.group());

      ProcessedRecords seen = new ProcessedRecords();
      try (KclWorker worker = KclWorker.start(server.httpEndpoint(), stream, Streams.uniqueName("kpl-app"),
          "worker-a", KclWorker.Retrieval.POLLING, seen.factory("worker-a"))) {
        Streams.waitUntil(() -> seen.firstSeenByKey().values().stream().mapToInt(List::size).sum() == KEYS * PER_KEY,
            Duration.ofSeconds(60), "every user record processed");
      }
      Map<String, List<String>> expected = new HashMap<>();
      for (int n = 1; n <= PER_KEY; n++) {
        for (int k = 0; k < KEYS; k++) {
          expected.computeIfAbsent("user-" + k, x -> new ArrayList<>()).add("user-" + k + "#" + n);
        }
      }
      for (ProcessedRecords.Processed p : seen.all()) {
        assertTrue(p.data().startsWith(p.partitionKey() + "#"), "user record " + p + " has its key");
      }
      // Every user record of every key, each once. Not in the order added: the KPL keeps several
      // PutRecords in flight per shard and does not keep a key's order across them
      // (awslabs/amazon-kinesis-producer#135), on Kinesis as here.
      Map<String, List<String>> arrived = new HashMap<>();
      seen.firstSeenByKey().forEach((key, data) -> arrived.put(key, data.stream().sorted().toList()));
      expected.replaceAll((key, data) -> data.stream().sorted().toList());
      assertEquals(expected, arrived, "each key's user records");
      // What Sluice keeps: each shard's records reach the KCL in sequence-number order.
      Map<String, BigInteger> last = new HashMap<>();
      for (ProcessedRecords.Processed p : seen.all()) {
        BigInteger sequence = new BigInteger(p.sequenceNumber());
        BigInteger previous = last.put(p.shardId(), sequence);
        assertTrue(previous == null || previous.compareTo(sequence) <= 0, p + " after sequence number " + previous);
      }
      assertEquals(List.of(), seen.errors(), "checkpoint errors");
    }
  }

  /** A plain HTTP request to `port` gets no HTTP answer (the connection is reset or closed). */
  private static void assertPlainHttpRefused(int port) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
        .openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    try {
      int status = c.getResponseCode();
      throw new AssertionError("plain HTTP on the TLS-only port " + port + " answered " + status);
    } catch (IOException e) {
      // Refused, as the KPL's plain HTTP would be.
    } finally {
      c.disconnect();
    }
  }

  /**
   * Runs KplProducer in a new JVM on this test's class path with the KPL's protobuf
   * (sluice.kplProtobuf) for the KCL's; returns its output once it exited 0 within 90 s.
   */
  private static String runProducer(SluiceServer server, String stream) throws Exception {
    String protobuf = System.getProperty("sluice.kplProtobuf");
    assertTrue(protobuf != null && Files.isRegularFile(Path.of(protobuf)), "the KPL's protobuf jar: " + protobuf);
    String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String classPath = Arrays.stream(testClassPath.split(File.pathSeparator))
        .map(entry -> entry.contains("protobuf-java-") ? protobuf : entry)
        .collect(Collectors.joining(File.pathSeparator));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process producer = new ProcessBuilder(java.toString(), "-cp", classPath, KplProducer.class.getName(),
        String.valueOf(server.tlsPort()), stream, String.valueOf(KEYS), String.valueOf(PER_KEY))
        .redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        output.append(new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        output.append(e);
      }
    });
    reader.start();
    if (!producer.waitFor(90, TimeUnit.SECONDS)) {
      producer.destroyForcibly().waitFor();
      reader.join();
      throw new AssertionError("the KPL did not finish in 90 s:\n" + output + "\nserver log:\n" + server.log());
    }
    reader.join();
    assertEquals(0, producer.exitValue(), "the KPL's exit status; its output:\n" + output + "\nserver log:\n"
        + server.log());
    return output.toString();
  }
}
