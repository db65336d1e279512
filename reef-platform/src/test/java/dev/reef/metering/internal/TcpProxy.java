package dev.reef.metering.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy a test can cut and restore, to make a real Redis unreachable and reachable again without
 * touching the server other tests use.
 */
final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean cut;
  private volatile Duration connectDelay = Duration.ZERO;

  TcpProxy(String targetUrl) throws IOException {
    URI target = URI.create(targetUrl);
    this.targetHost = target.getHost();
    this.targetPort = target.getPort() < 0 ? 6379 : target.getPort();
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("tcp-proxy").start(this::acceptLoop);
  }

  String url() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops every connection and refuses new ones until {@link #restore()}. */
  void cut() {
    cut = true;
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  void restore() {
    cut = false;
  }

  /** New connections pass nothing either way for this long after they are accepted: a slow handshake. */
  void delayNewConnections(Duration delay) {
    connectDelay = delay;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (cut) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        open.add(client);
        open.add(upstream);
        Duration delay = connectDelay;
        Thread.ofVirtual().start(() -> {
          sleep(delay);
          pump(client, upstream);
        });
        Thread.ofVirtual().start(() -> {
          sleep(delay);
          pump(upstream, client);
        });
      } catch (IOException e) {
        // closed, or the target refused: the client sees its connection drop
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
