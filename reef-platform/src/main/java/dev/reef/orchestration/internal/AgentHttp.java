package dev.reef.orchestration.internal;

import dev.reef.orchestration.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import jdk.net.UnixDomainPrincipal;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jdk.net.ExtendedSocketOptions;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * HTTP from Reef to agents, wherever their driver put them: {@code http://host:port}, or a Unix socket
 * ({@code unix:/path}, a sandboxed agent, which has no network). The one way Reef talks to agents - readiness,
 * chat - so every call gets the same checks.
 *
 * <p>A Unix socket is only trusted when the process listening on it runs as the uid the placement names
 * ({@link Placement#PEER_UID}; {@code SO_PEERCRED}, checked at every connection): so an agent that Reef takes as
 * ready, and the one Reef sends a tenant's message and token to, is the one it started.
 */
public final class AgentHttp implements AutoCloseable {

  private static final String UNIX = "unix:";

  private final HttpClient client;

  public AgentHttp(Duration connectTimeout) {
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("reef-agent-http");
    threads.setDaemon(true);
    client = new HttpClient();
    client.setExecutor(threads);
    client.setConnectTimeout(connectTimeout.toMillis());
    // an agent may think (or run a tool) for minutes between two chunks of a reply; each call's own timeout bounds it
    client.setIdleTimeout(Duration.ofMinutes(15).toMillis());
    client.setFollowRedirects(false);
    client.setUserAgentField(null);
    try {
      client.start();
      // an agent's 401 is an answer to pass on, not a challenge for this client to take up (the handlers are
      // installed by start)
      client.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
      client.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the HTTP client for agents", e);
    }
  }

  /** A whole answer. Status -1 means nothing answered, and {@code body} says why. */
  public record Answer(int status, String body) {}

  /** An answer whose body is read as it comes; closing it ends the exchange. */
  public interface Streamed extends AutoCloseable {
    int status();

    InputStream body();

    @Override
    void close() throws IOException;
  }

  /** A GET, read whole; never throws for I/O: status -1 then. */
  public Answer get(Placement placement, String path, String bearer, Duration timeout) {
    Request request;
    try {
      request = request(placement, path, HttpMethod.GET, timeout);
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    }
    if (bearer != null) {
      request.headers(h -> h.put("Authorization", "Bearer " + bearer));
    }
    try {
      ContentResponse response = request.send();
      return new Answer(response.getStatus(), response.getContentAsString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted");
    } catch (TimeoutException | ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Answer(-1, cause.toString());
    }
  }

  /** Whether the agent answers 200 at {@code path}. */
  public boolean answers(Placement placement, String path, Duration timeout) {
    return get(placement, path, null, timeout).status() == 200;
  }

  /**
   * A POST whose answer is streamed: the status comes once the agent has answered, the body as it is written.
   *
   * @throws IOException when the agent cannot be reached or does not answer within {@code timeout}
   */
  public Streamed post(Placement placement, String path, Map<String, String> headers, byte[] body,
      Duration timeout) throws IOException, InterruptedException {
    Request request = request(placement, path, HttpMethod.POST, timeout)
        .body(new BytesRequestContent(headers.getOrDefault("Content-Type", "application/json"), body));
    request.headers(h -> headers.forEach(h::put));
    InputStreamResponseListener listener = new InputStreamResponseListener();
    request.send(listener);
    Response response;
    try {
      response = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      request.abort(e);
      throw new IOException("the agent did not answer within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IOException(Objects.requireNonNullElse(e.getCause(), e).getMessage(), e.getCause());
    } catch (InterruptedException e) {
      request.abort(e); // the caller gave up on it: so does the connection
      throw e;
    }
    InputStream in = listener.getInputStream();
    int status = response.getStatus();
    return new Streamed() {
      @Override
      public int status() {
        return status;
      }

      @Override
      public InputStream body() {
        return in;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private Request request(Placement placement, String path, HttpMethod method, Duration timeout)
      throws IOException {
    String address = placement.address();
    Request request;
    if (address.startsWith(UNIX)) {
      Path socket = Path.of(address.substring(UNIX.length()));
      long uid = Long.parseLong(Objects.requireNonNull(placement.attributes().get(Placement.PEER_UID),
          "a placement on a Unix socket names the uid listening on it"));
      checkPeer(socket, uid);
      request = client.newRequest("http://agent" + path).transport(new Transport.TCPUnix(socket));
    } else {
      request = client.newRequest(address + path);
    }
    return request.method(method).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      // shutting down
    }
  }

  /**
   * Checks that whoever listens on {@code socket} runs as {@code uid} ({@code SO_PEERCRED} of a fresh connection).
   * Only that uid (and root) can make a socket there; the check makes sure no stale or foreign listener answers.
   */
  static void checkPeer(Path socket, long uid) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      requirePeer(channel, socket, uid);
    }
  }

  /** Refuses a connected Unix-socket channel whose other end does not run as {@code uid}. */
  static void requirePeer(SocketChannel channel, Path socket, long uid) throws IOException {
    UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    // a numeric name looks the uid up as a number when no account has that name: principals compare by id
    UserPrincipal expected = FileSystems.getDefault().getUserPrincipalLookupService()
        .lookupPrincipalByName(Long.toString(uid));
    if (!peer.user().equals(expected)) {
      throw new IOException("the process listening on " + socket + " runs as " + peer.user().getName()
          + ", not as the agent's uid " + uid + ": refusing to talk to it");
    }
  }

}
