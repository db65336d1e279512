package dev.reef.egress.internal;

import dev.reef.access.BearerCredentials;
import dev.reef.access.Caller;
import dev.reef.common.TenantId;
import dev.reef.orchestration.AgentEgress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Reef's egress proxy: the only way out for an agent. An HTTP forward proxy (CONNECT tunnels, and plain HTTP
 * requests with an absolute URI) that connects only to what the agent's tenant's allowlist names, never to
 * {@link ForbiddenAddresses}, and records every connection (tenant, agent, host, port, bytes, allowed or denied
 * and why) in the tenant's egress log.
 *
 * <p>Design note. Who is asking is never taken from the request: an agent on this machine comes through a Unix
 * socket made for it alone ({@link #serve}, bound into its sandbox only); an agent elsewhere (a kubernetes pod)
 * comes through the TCP port and must show its agent token as the proxy password. The destination's name is
 * matched against the allowlist, then resolved here, and every address it resolves to is checked before one is
 * connected to: a name cannot be pointed at Reef's database or a cloud's metadata service. One virtual thread per
 * direction per connection; at most {@code maxConnectionsPerAgent} open per agent.
 */
@Component
final class EgressProxy implements AgentEgress, InitializingBean, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger("reef.egress");
  private static final int BUFFER = 16 * 1024;

  /** Whose connection this is. */
  record Agent(TenantId tenantId, UUID agentId) {}

  /** How a destination name becomes addresses; the system's resolver, or a test's. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final EgressPolicy policy;
  private final EgressRecorder recorder;
  private final EgressProperties properties;
  private final BearerCredentials credentials;
  private final Clock clock;
  private final Resolver resolver;
  private final Map<UUID, AtomicInteger> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("reef-egress-timer").factory());
  private volatile ServerSocketChannel tcp;
  /** The hosts each agent's channels let it reach (Slack's, Discord's), looked up at most every few seconds. */
  private volatile org.springframework.beans.factory.ObjectProvider<dev.reef.orchestration.AgentChannels> channels;
  private final com.github.benmanes.caffeine.cache.Cache<UUID, List<EgressRule>> channelHosts =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(EgressPolicy.FRESHNESS)
          .maximumSize(100_000).build();

  /** The channels module comes later (it needs agents, which need this proxy). */
  @Autowired
  void channels(org.springframework.beans.factory.ObjectProvider<dev.reef.orchestration.AgentChannels> channels) {
    this.channels = channels;
  }

  @Autowired
  EgressProxy(EgressPolicy policy, EgressRecorder recorder, EgressProperties properties,
      BearerCredentials credentials, Clock clock) {
    this(policy, recorder, properties, credentials, clock, InetAddress::getAllByName);
  }

  EgressProxy(EgressPolicy policy, EgressRecorder recorder, EgressProperties properties,
      BearerCredentials credentials, Clock clock, Resolver resolver) {
    this.policy = policy;
    this.recorder = recorder;
    this.properties = properties;
    this.credentials = credentials;
    this.clock = clock;
    this.resolver = resolver;
  }

  @Override
  public void afterPropertiesSet() throws IOException {
    if (properties.port() > 0) {
      tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
      tcp.bind(new InetSocketAddress(properties.port()));
      Thread.ofVirtual().name("reef-egress-tcp").start(() -> accept(tcp, null));
      log.info("Egress proxy listening on TCP port {} for agents elsewhere (agent token as proxy password)",
          properties.port());
    }
  }

  /** The TCP port, when there is one (0 when not). */
  int tcpPort() {
    try {
      return tcp == null ? 0 : ((InetSocketAddress) tcp.getLocalAddress()).getPort();
    } catch (IOException e) {
      return 0;
    }
  }

  /** What the agent's connected channels add to its tenant's allowlist (port 443 each). */
  private List<EgressRule> channelRules(Agent agent) {
    var provider = channels;
    if (agent.agentId() == null || provider == null) {
      return List.of();
    }
    return channelHosts.get(agent.agentId(), id -> provider.getIfAvailable(
        () -> dev.reef.orchestration.AgentChannels.NONE).egressHosts(agent.tenantId(), id).stream()
        .map(host -> new EgressRule(host, EgressRule.DEFAULT_PORTS)).toList());
  }

  @Override
  public Closeable serve(TenantId tenantId, UUID agentId, Path socket) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    // the agent runs as a uid of its own; the directory the socket is in is what keeps everyone else out
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    Agent agent = new Agent(tenantId, agentId);
    Thread.ofVirtual().name("reef-egress-" + agentId).start(() -> accept(server, agent));
    return () -> {
      server.close();
      Files.deleteIfExists(socket);
    };
  }

  @Override
  public void destroy() throws IOException {
    timer.shutdownNow();
    if (tcp != null) {
      tcp.close();
    }
  }

  /** Accepts connections until the listener is closed; {@code agent} null: who it is comes from the token. */
  private void accept(ServerSocketChannel server, Agent agent) {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread.ofVirtual().start(() -> {
        try (client) {
          handle(client, agent);
        } catch (IOException | RuntimeException e) {
          log.debug("egress connection failed: {}", e.toString());
        }
      });
    }
  }

  private void handle(SocketChannel client, Agent known) throws IOException {
    Instant started = clock.instant();
    Optional<ProxyRequest> read = readHead(client);
    if (read.isEmpty()) {
      return;
    }
    ProxyRequest request = read.get();
    Agent agent = known != null ? known : authenticate(request).orElse(null);
    if (agent == null) {
      respond(client, 407, "Proxy Authentication Required",
          "Reef's egress proxy needs the agent's token as the proxy password.",
          "Proxy-Authenticate: Basic realm=\"reef-egress\"\r\n");
      return;
    }
    AtomicInteger count = open.computeIfAbsent(agent.agentId(), id -> new AtomicInteger());
    if (count.incrementAndGet() > properties.maxConnectionsPerAgent()) {
      count.decrementAndGet();
      deny(client, agent, request, started, 429, "Too Many Requests", "more than "
          + properties.maxConnectionsPerAgent() + " connections of this agent are open through the proxy");
      return;
    }
    try {
      forward(client, agent, request, started);
    } finally {
      count.decrementAndGet();
    }
  }

  private void forward(SocketChannel client, Agent agent, ProxyRequest request, Instant started)
      throws IOException {
    EgressPolicy.Effective effective = policy.current(agent.tenantId());
    if (!effective.active()) {
      deny(client, agent, request, started, 403, "Forbidden", "the tenant is suspended");
      return;
    }
    if (effective.match(request.host(), request.port()).isEmpty()
        && channelRules(agent).stream().noneMatch(r -> r.matches(request.host(), request.port()))) {
      deny(client, agent, request, started, 403, "Forbidden", request.host() + ":" + request.port()
          + " is not on the tenant's egress allowlist");
      return;
    }
    InetAddress[] addresses;
    try {
      // an IP literal on the allowlist is in its canonical form: parsed here, never looked up
      addresses = EgressRule.isAddress(request.host()) ? new InetAddress[] {InetAddress.getByName(request.host())}
          : resolver.resolve(request.host());
    } catch (UnknownHostException e) {
      deny(client, agent, request, started, 502, "Bad Gateway", "cannot resolve " + request.host());
      return;
    }
    for (InetAddress address : addresses) {
      Optional<String> forbidden = ForbiddenAddresses.why(address);
      if (forbidden.isPresent()) {
        deny(client, agent, request, started, 403, "Forbidden", request.host() + " resolves to "
            + address.getHostAddress() + ", " + forbidden.get() + ", which agents may never reach");
        return;
      }
    }
    SocketChannel upstream = SocketChannel.open();
    InetAddress address = addresses[0];
    try (upstream) {
      try {
        upstream.socket().connect(new InetSocketAddress(address, request.port()),
            (int) properties.connectTimeout().toMillis());
        upstream.socket().setTcpNoDelay(true);
      } catch (IOException e) {
        deny(client, agent, request, started, 502, "Bad Gateway", "cannot connect to " + request.host() + ":"
            + request.port() + " (" + address.getHostAddress() + "): " + e.getMessage());
        return;
      }
      AtomicLong out = new AtomicLong();
      AtomicLong in = new AtomicLong();
      if (request.tunnel()) {
        writeAll(client, "HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        byte[] head = request.forOrigin();
        writeAll(upstream, head);
        out.addAndGet(head.length);
      }
      if (request.rest().length > 0) {
        writeAll(upstream, request.rest());
        out.addAndGet(request.rest().length);
      }
      Thread down = Thread.ofVirtual().start(() -> pump(upstream, client, in));
      pump(client, upstream, out);
      try {
        down.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      recorder.record(agent, new EgressRepository.Connection(0, agent.agentId(), request.host(), request.port(),
          address.getHostAddress(), true, null, out.get(), in.get(), started, clock.instant()));
    }
  }

  /** Copies one direction until its end, then ends the other side's writing (a half-close), counting bytes. */
  private static void pump(SocketChannel from, SocketChannel to, AtomicLong counter) {
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        counter.addAndGet(buffer.remaining());
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // one side went away: end both
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Reads the request's head, within the head timeout; empty (and an answer sent) when it is not one. */
  private Optional<ProxyRequest> readHead(SocketChannel client) throws IOException {
    ScheduledFuture<?> timeout = timer.schedule(() -> {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing a slow client
      }
    }, properties.headTimeout().toMillis(), TimeUnit.MILLISECONDS);
    try {
      byte[] buffer = new byte[ProxyRequest.MAX_HEAD];
      int length = 0;
      ByteBuffer view = ByteBuffer.wrap(buffer);
      while (true) {
        int n = client.read(view);
        if (n < 0) {
          return Optional.empty();
        }
        length += n;
        int end = ProxyRequest.endOfHead(buffer, length);
        if (end > 0) {
          ProxyRequest.Parsed parsed = ProxyRequest.parse(buffer, end, length);
          if (parsed.request().isEmpty()) {
            respond(client, 400, "Bad Request", parsed.problem(), "");
          }
          return parsed.request();
        }
        if (length == buffer.length) {
          respond(client, 431, "Request Header Fields Too Large", "the request's head is over "
              + ProxyRequest.MAX_HEAD + " bytes", "");
          return Optional.empty();
        }
      }
    } finally {
      timeout.cancel(false);
    }
  }

  /** An agent elsewhere: its token is the proxy password ({@code http://agent:<token>@reef:port}). */
  private Optional<Agent> authenticate(ProxyRequest request) {
    Optional<String> header = request.header("Proxy-Authorization");
    if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String token = decoded.substring(decoded.indexOf(':') + 1);
    return credentials.resolve(token, "egress").flatMap(caller -> caller instanceof Caller.Agent a
        ? Optional.of(new Agent(a.tenantId(), a.agentId())) : Optional.empty());
  }

  private void deny(SocketChannel client, Agent agent, ProxyRequest request, Instant started, int status,
      String phrase, String reason) throws IOException {
    recorder.record(agent, new EgressRepository.Connection(0, agent.agentId(), request.host(), request.port(),
        null, false, reason, 0, 0, started, clock.instant()));
    respond(client, status, phrase, "Reef's egress proxy refused " + request.host() + ":" + request.port() + ": "
        + reason + ".", "");
  }

  private static void respond(SocketChannel client, int status, String phrase, String message, String headers)
      throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n" + headers + "\r\n";
    writeAll(client, head.getBytes(StandardCharsets.US_ASCII));
    writeAll(client, body);
  }

  private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
