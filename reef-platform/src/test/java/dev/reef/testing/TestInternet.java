package dev.reef.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A host "on the internet" for egress tests: a network namespace of its own, joined to this machine by a veth
 * pair, with a small HTTP server in it. Its address is in 198.51.100.0/24 (documentation space, which Reef's egress
 * proxy does not treat as private), and it is not one of this machine's addresses, so the proxy treats it like any
 * public host. Made once per test JVM (needs root and iproute2's {@code ip}; in CI both are there), removed at exit.
 *
 * <p>The server answers {@code GET /} with {@link #GREETING}, and {@code GET /bytes?n=N} with N bytes.
 */
public final class TestInternet {

  public static final String GREETING = "hello from the internet";
  public static final int PORT = 80;

  private static TestInternet instance;

  private final String namespace;
  private final String hostSide;
  private final String address;
  private final Process server;

  private TestInternet(String namespace, String hostSide, String address, Process server) {
    this.namespace = namespace;
    this.hostSide = hostSide;
    this.address = address;
    this.server = server;
  }

  /** The host, made on first use; skips (or in CI fails) with what is missing when it cannot be made. */
  public static synchronized TestInternet get() {
    if (instance == null) {
      String problem = null;
      try {
        instance = create();
      } catch (IOException | RuntimeException e) {
        problem = "cannot make a test host in a network namespace (" + e.getMessage() + ")";
      }
      RequiredService.require(problem, "Egress tests need root and iproute2 (ip netns) to make a host to reach.");
    }
    return instance;
  }

  public String address() {
    return address;
  }

  public String url(String path) {
    return "http://" + address + ":" + PORT + path;
  }

  private static TestInternet create() throws IOException {
    long slot = ProcessHandle.current().pid() % 60;
    String namespace = "reef-net-" + ProcessHandle.current().pid();
    String hostSide = "rfh" + ProcessHandle.current().pid();
    String nsSide = "rfn" + ProcessHandle.current().pid();
    String hostAddress = "198.51.100." + (slot * 4 + 1);
    String address = "198.51.100." + (slot * 4 + 2);
    run("ip", "netns", "add", namespace);
    try {
      run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
      run("ip", "link", "set", nsSide, "netns", namespace);
      run("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
      run("ip", "link", "set", hostSide, "up");
      run("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/30", "dev", nsSide);
      run("ip", "netns", "exec", namespace, "ip", "link", "set", nsSide, "up");
      run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
      Process server = new ProcessBuilder("ip", "netns", "exec", namespace,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
          "-Dsun.net.httpserver.nodelay=true",
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Server.class.getName(),
          address, Integer.toString(PORT))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      TestInternet internet = new TestInternet(namespace, hostSide, address, server);
      Runtime.getRuntime().addShutdownHook(new Thread(internet::remove, "remove-test-internet"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!reachable(address, PORT)) {
        if (System.nanoTime() > deadline || !server.isAlive()) {
          internet.remove();
          throw new IOException("its server did not come up at " + address + ":" + PORT);
        }
        Thread.sleep(100);
      }
      return internet;
    } catch (IOException | RuntimeException e) {
      quietly("ip", "link", "del", hostSide);
      quietly("ip", "netns", "del", namespace);
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private void remove() {
    server.destroyForcibly();
    quietly("ip", "link", "del", hostSide);
    quietly("ip", "netns", "del", namespace);
  }

  private static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(String... command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (IOException e) {
      // already gone
    }
  }

  /** The server inside the namespace. */
  public static final class Server {
    public static void main(String[] args) throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 64);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", exchange -> {
        try (exchange) {
          String query = exchange.getRequestURI().getQuery();
          byte[] body;
          if (exchange.getRequestURI().getPath().equals("/bytes") && query != null && query.startsWith("n=")) {
            body = new byte[Integer.parseInt(query.substring(2))];
            java.util.Arrays.fill(body, (byte) 'x');
          } else {
            body = GREETING.getBytes(StandardCharsets.UTF_8);
          }
          exchange.getResponseHeaders().set("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      });
      server.start();
    }
  }
}
