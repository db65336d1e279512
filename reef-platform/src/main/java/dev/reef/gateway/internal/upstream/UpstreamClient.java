package dev.reef.gateway.internal.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * HTTP calls to providers. Connect timeout on every call; a timeout for the response headers; and a read-idle
 * timeout on the body: a stream that goes silent for longer than it is closed, which ends the relay. Closing the
 * body stream cancels the upstream request.
 */
@Component
public final class UpstreamClient implements DisposableBean {

  private final HttpClient http;
  private final Duration headersTimeout;
  private final long idleNanos;
  private final Set<WatchedStream> open = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("reef-upstream-watchdog").factory());

  UpstreamClient(GatewayProperties properties) {
    this.http = HttpClient.newBuilder()
        .connectTimeout(properties.connectTimeout())
        .version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
    this.headersTimeout = properties.readTimeout();
    this.idleNanos = properties.readTimeout().toNanos();
    long tick = Math.max(100, Math.min(1000, properties.readTimeout().toMillis() / 4));
    watchdog.scheduleWithFixedDelay(this::closeIdle, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** A response whose body has not been read yet. The caller must close {@code body}. */
  public record Response(int status, Map<String, java.util.List<String>> headers, InputStream body) {
    public String header(String name) {
      for (Map.Entry<String, java.util.List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().getFirst();
        }
      }
      return null;
    }
  }

  public Response post(URI uri, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(headersTimeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    WatchedStream watched = new WatchedStream(response.body());
    open.add(watched);
    return new Response(response.statusCode(), response.headers().map(), watched);
  }

  private void closeIdle() {
    long now = System.nanoTime();
    for (WatchedStream s : open) {
      if (now - s.lastActivity > idleNanos) {
        s.timedOut = true;
        try {
          s.close();
        } catch (IOException ignored) {
          // closing is best effort
        }
      }
    }
  }

  @Override
  public void destroy() {
    watchdog.shutdownNow();
    http.shutdownNow();
  }

  /** Thrown from a body read that the idle watchdog cut off. */
  public static final class IdleTimeoutException extends IOException {
    IdleTimeoutException() {
      super("the provider sent nothing for longer than the read timeout");
    }
  }

  private final class WatchedStream extends FilterInputStream {
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean timedOut;

    WatchedStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = guard(() -> super.read());
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      return guard(() -> super.read(buf, off, len));
    }

    private int guard(IoRead read) throws IOException {
      try {
        int n = read.run();
        lastActivity = System.nanoTime();
        return n;
      } catch (IOException e) {
        if (timedOut) {
          throw new IdleTimeoutException();
        }
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      open.remove(this);
      super.close();
    }
  }

  @FunctionalInterface
  private interface IoRead {
    int run() throws IOException;
  }
}
