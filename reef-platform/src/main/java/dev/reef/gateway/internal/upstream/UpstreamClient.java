package dev.reef.gateway.internal.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * HTTP calls to providers: a blocking HTTP/1.1 client (Apache HttpClient 5) with a pool of keep-alive connections,
 * run on the request's own virtual thread - no hand-off to another thread per call, which is what made the JDK's
 * asynchronous client the largest cost on the proxy's hot path.
 *
 * <p>Timeouts: connecting ({@code REEF_GATEWAY_CONNECT_TIMEOUT}); and the read timeout
 * ({@code REEF_GATEWAY_READ_TIMEOUT}), which bounds both the wait for the response headers and any silence inside a
 * streamed body; and each call's deadline (its share of {@code REEF_GATEWAY_TOTAL_TIMEOUT}). Closing a body before
 * its end aborts the request, which closes the connection and so cancels the provider's work.
 *
 * <p>Design note: the read timeout is not the socket's. A socket read with a timeout on a virtual thread is a timed
 * park, and every timed park hands a timer to the JDK's delay-scheduler thread and wakes it: about one wake-up per
 * proxied call, which costs more than the read on a host where waking a thread is dear. Instead the sockets read
 * without a timeout, each call notes since when it has been waiting for the provider (0 while Reef is busy
 * elsewhere, say writing to a slow client), and one watchdog thread aborts the calls that have waited longer than the
 * read timeout or passed their deadline (checked every tenth of the read timeout, at most every 250 ms).
 */
@Component
public final class UpstreamClient implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
  private static final String JSON = "application/json";
  /** Parsed once (no charset parameter, as providers' own examples send it). */
  private static final ContentType JSON_TYPE = ContentType.create(JSON);

  private final PoolingHttpClientConnectionManager connections;
  private final CloseableHttpClient http;
  private final long readTimeoutNanos;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;

  UpstreamClient(GatewayProperties properties) {
    this.connections = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(4096)
        .setMaxConnPerRoute(2048) // the real cap is each provider's fair gate (maxConcurrency)
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(properties.connectTimeout()))
            .setSocketTimeout(Timeout.DISABLED) // the watchdog enforces the read timeout (design note)
            .setValidateAfterInactivity(TimeValue.ofSeconds(2))
            .build())
        .build();
    this.http = HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.DISABLED).build())
        .disableAutomaticRetries() // the proxy decides what to retry: only before a byte reached the client
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableContentCompression() // bytes are relayed as the provider sent them
        .disableAuthCaching()
        .evictIdleConnections(TimeValue.ofSeconds(30))
        .evictExpiredConnections()
        .build();
    this.readTimeoutNanos = properties.readTimeout().toNanos();
    long checkEvery = Math.clamp(properties.readTimeout().toMillis() / 10, 10, 250);
    this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
        .name("reef-upstream-read-timeouts").factory());
    watchdog.scheduleWithFixedDelay(this::abortSilentCalls, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
  }

  /**
   * A call in flight: since when it has been waiting for the provider (0: not waiting), its deadline, whether it was
   * aborted and why.
   */
  private static final class Call {
    final HttpPost request;
    final long deadlineNanos;
    volatile long waitingSinceNanos = System.nanoTime();
    volatile boolean timedOut;
    volatile boolean pastDeadline;

    Call(HttpPost request, long deadlineNanos) {
      this.request = request;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private void abortSilentCalls() {
    long now = System.nanoTime();
    for (Call call : inFlight) {
      long since = call.waitingSinceNanos;
      boolean silent = since != 0 && now - since > readTimeoutNanos;
      boolean late = now - call.deadlineNanos > 0;
      if (silent || late) {
        call.pastDeadline = late && !silent;
        call.timedOut = true;
        inFlight.remove(call);
        try {
          call.request.cancel(); // closes the connection: the blocked read fails at once
        } catch (RuntimeException e) {
          // a task that throws is never run again: one failed abort must not end every later read timeout
          log.warn("Could not abort a provider call that timed out", e);
        }
      }
    }
  }

  /** A response whose body has not been read yet. The caller must close {@code body}. */
  public record Response(int status, Map<String, List<String>> headers, InputStream body) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().getFirst();
        }
      }
      return null;
    }
  }

  /**
   * Sends a POST and returns once the response headers arrived.
   *
   * @param deadlineNanos ({@link System#nanoTime()}) when the call is aborted, however lively the provider
   * @throws HttpTimeoutException when connecting or the response headers took too long, or the deadline passed
   * @throws IOException when the provider cannot be reached
   */
  public Response post(URI uri, Map<String, String> headers, byte[] body, long deadlineNanos) throws IOException {
    HttpPost post = new HttpPost(uri);
    headers.forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Type")) {
        post.addHeader(name, value);
      }
    });
    String type = headers.getOrDefault("Content-Type", JSON);
    post.setEntity(new ByteArrayEntity(body, JSON.equals(type) ? JSON_TYPE : ContentType.parse(type)));
    ClassicHttpResponse response;
    Call call = new Call(post, deadlineNanos);
    inFlight.add(call);
    try {
      response = http.executeOpen(null, post, null);
    } catch (IOException e) {
      inFlight.remove(call);
      post.cancel();
      if (call.timedOut || e instanceof SocketTimeoutException) { // waiting for the headers, or connecting
        HttpTimeoutException timeout = new HttpTimeoutException(call.pastDeadline
            ? "the call took longer than the total timeout" : "the provider did not answer in time");
        timeout.initCause(e);
        throw timeout;
      }
      throw e;
    }
    call.waitingSinceNanos = 0;
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (Header h : response.getHeaders()) {
      // as the provider spelled them: Response.header looks names up ignoring case
      map.computeIfAbsent(h.getName(), k -> new ArrayList<>(1)).add(h.getValue());
    }
    HttpEntity entity = response.getEntity();
    InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
    return new Response(response.getCode(), map, new Body(content, call, response));
  }

  @Override
  public void destroy() throws IOException {
    watchdog.shutdownNow();
    http.close();
    connections.close();
  }

  /** Thrown from a body read when the provider went silent for longer than the read timeout, or the deadline passed. */
  public static final class IdleTimeoutException extends IOException {
    private final boolean pastDeadline;

    IdleTimeoutException(boolean pastDeadline, Throwable cause) {
      super(pastDeadline ? "the call took longer than the total timeout"
          : "the provider sent nothing for longer than the read timeout", cause);
      this.pastDeadline = pastDeadline;
    }

    /** True when the call's deadline passed, false when the provider fell silent. */
    public boolean pastDeadline() {
      return pastDeadline;
    }
  }

  /** A response body that releases its connection when read to the end, and aborts the call when closed early. */
  private final class Body extends FilterInputStream {
    private final Call call;
    private final ClassicHttpResponse response;
    private boolean ended;
    private boolean closed;

    Body(InputStream in, Call call, ClassicHttpResponse response) {
      super(in);
      this.call = call;
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      call.waitingSinceNanos = System.nanoTime();
      try {
        int b = super.read();
        heard(b < 0);
        return b;
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      call.waitingSinceNanos = System.nanoTime();
      try {
        int n = super.read(buf, off, len);
        heard(n < 0);
        return n;
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private void heard(boolean end) {
      call.waitingSinceNanos = 0;
      if (end && !ended) {
        ended = true;
        inFlight.remove(call);
      }
    }

    private IOException failed(IOException e) {
      return call.timedOut ? new IdleTimeoutException(call.pastDeadline, e) : e;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      inFlight.remove(call);
      if (!ended) {
        call.request.cancel(); // closes the connection: the provider stops working on an answer nobody will read
        try {
          response.close();
        } catch (IOException connectionAlreadyClosed) {
          // closing tries to drain the rest of the body from the socket cancel() has just closed; there is
          // nothing to release, and a caller that stops reading early (a silent provider, a client gone) is
          // not failing
        }
        return;
      }
      try {
        super.close();
      } finally {
        response.close();
      }
    }
  }
}
