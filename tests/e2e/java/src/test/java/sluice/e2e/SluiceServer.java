package sluice.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One `sluice serve` process (the binary named by SLUICE_BIN) on an ephemeral port with a fresh
 * data dir in a temporary directory, as tests/e2e/python/sluice_e2e.py starts it: the port comes
 * from the first "listening on" log line, the TLS certificate's path (with --tls) from the
 * "TLS certificate" line, and the server counts as started once GET /health answers 200.
 *
 * <p>close() sends SIGTERM and requires a clean exit (status 0) within 20 s, then removes the
 * data dir; a server that does not stop is killed and the close fails. kill9() and restart() crash
 * the server and start it again on the same data dir and port, so clients keep their endpoint.
 */
final class SluiceServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on ([0-9.]+):(\\d+)");
  private static final Pattern CERTIFICATE = Pattern.compile("TLS certificate (\\S+) \\(");
  private static final Pattern TLS_PORT = Pattern.compile("TLS on port (\\d+)");
  private static final long START_DEADLINE_MS = 30_000;
  private static final long STOP_DEADLINE_MS = 20_000;

  private final Path dataDir;
  private final List<String> extraArgs;
  private Process process;
  private final List<String> log = new ArrayList<>();
  private int port;
  private Path certificate;
  private int tlsPort;

  private SluiceServer(Path dataDir, List<String> extraArgs) {
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
  }

  /** Starts a server with `extraArgs` after the defaults (streams ACTIVE at once). */
  static SluiceServer start(String... extraArgs) throws IOException, InterruptedException {
    String bin = System.getenv("SLUICE_BIN");
    if (bin == null || bin.isEmpty() || !Files.isExecutable(Path.of(bin))) {
      throw new IllegalStateException("SLUICE_BIN must name the server binary (got '" + bin + "')");
    }
    SluiceServer server = new SluiceServer(Files.createTempDirectory("sluice-java-e2e"), List.of(extraArgs));
    server.launch(bin, 0);
    return server;
  }

  /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();  // SIGKILL
    process.waitFor();
  }

  /** Starts the server again (after kill9) on the same data dir and the same port. */
  void restart() throws IOException, InterruptedException {
    if (process.isAlive()) throw new IllegalStateException("kill the server first");
    int previous = port;
    synchronized (log) {
      port = 0;
    }
    launch(System.getenv("SLUICE_BIN"), previous);
  }

  private void launch(String bin, int listenPort) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(bin, "serve", "--host", "127.0.0.1", "--port",
        String.valueOf(listenPort), "--data-dir", dataDir.resolve("data").toString(), "--create-stream-ms", "0",
        "--delete-stream-ms", "0"));
    command.addAll(extraArgs);
    Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
    process = started;
    Thread reader = new Thread(() -> readLog(started), "sluice-log");
    reader.setDaemon(true);
    reader.start();
    awaitStarted();
  }

  int port() {
    return port;
  }

  URI httpEndpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** `localhost`, a name the generated certificate carries. */
  URI httpsEndpoint() {
    return URI.create("https://localhost:" + port);
  }

  /** The certificate the server made or loaded (started with --tls), PEM. */
  Path certificate() {
    if (certificate == null) throw new IllegalStateException("no TLS certificate line in the log:\n" + log());
    return certificate;
  }

  /** The port TLS is served on (started with --tls), from the "TLS on port" line that follows "listening on". */
  int tlsPort() throws InterruptedException {
    long deadline = System.currentTimeMillis() + START_DEADLINE_MS;
    synchronized (log) {
      while (tlsPort == 0 && process.isAlive() && System.currentTimeMillis() < deadline) log.wait(100);
      if (tlsPort == 0) throw new IllegalStateException("no 'TLS on port' line in the log:\n" + log());
      return tlsPort;
    }
  }

  /** A port no socket is bound to now (for --tls-port, which takes no 0). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  String log() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  private void readLog(Process from) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        synchronized (log) {
          log.add(line);
          Matcher cert = CERTIFICATE.matcher(line);
          if (certificate == null && cert.find()) certificate = Path.of(cert.group(1));
          Matcher tls = TLS_PORT.matcher(line);
          if (tls.find()) tlsPort = Integer.parseInt(tls.group(1));
          Matcher listening = LISTENING.matcher(line);
          if (port == 0 && listening.find()) port = Integer.parseInt(listening.group(2));
          log.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process is gone; awaitStarted sees it.
    }
  }

  private void awaitStarted() throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + START_DEADLINE_MS;
    synchronized (log) {
      while (port == 0 && process.isAlive() && System.currentTimeMillis() < deadline) {
        log.wait(100);
      }
    }
    if (port == 0) {
      close();
      throw new IllegalStateException("server did not log 'listening on' in time; log:\n" + log());
    }
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("server exited; log:\n" + log());
      if (healthStatus() == 200) return;
      Thread.sleep(20);  // polling interval, not synchronisation: the deadline bounds the wait
    }
    close();
    throw new IllegalStateException("GET /health did not answer 200 in time; log:\n" + log());
  }

  private int healthStatus() {
    try {
      HttpURLConnection c = (HttpURLConnection) httpEndpoint().resolve("/health").toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode();
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (process.isAlive()) {
        process.destroy();  // SIGTERM
        if (!process.waitFor(STOP_DEADLINE_MS, TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new IllegalStateException("server did not exit within 20 s of SIGTERM; log:\n" + log());
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              "server exited with status " + process.exitValue() + " after SIGTERM; log:\n" + log());
        }
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dataDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
