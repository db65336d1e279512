package dev.reef.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.access.AgentTokens;
import dev.reef.access.BearerCredentials;
import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.ReefIT;
import dev.reef.testing.TestInternet;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The egress proxy as an agent meets it: through the socket made for it (or, for an agent elsewhere, the TCP port
 * and its token), reaching a host on its tenant's allowlist - a test host in a network namespace of its own
 * ({@link TestInternet}) - and refused everything else, each attempt in the tenant's egress log.
 */
@Tag("database-matrix")
class EgressProxyIT extends ReefIT {

  @Autowired
  EgressPolicy policy;

  @Autowired
  EgressRecorder recorder;

  @Autowired
  BearerCredentials credentials;

  @Autowired
  AgentTokens agentTokens;

  private final TestInternet internet = TestInternet.get();
  private final UUID agentId = UUID.randomUUID();
  private Path socket;
  private SignedUp tenant;
  private EgressProxy proxy;
  private Closeable serving;

  /** Names a test resolves itself: one points at the test host, one at this machine's loopback. */
  private InetAddress[] resolve(String host) throws UnknownHostException {
    return switch (host) {
      case "internet.example.com" -> new InetAddress[] {InetAddress.getByName(internet.address())};
      case "rebound.example.com" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
      case "mixed.example.com" -> new InetAddress[] {InetAddress.getByName(internet.address()),
          InetAddress.getByName("169.254.169.254")};
      default -> throw new UnknownHostException(host);
    };
  }

  @BeforeEach
  void serveAnAgent() throws IOException {
    tenant = signUp("Egress");
    proxy = new EgressProxy(policy, recorder, new EgressProperties(0, Duration.ofSeconds(2), Duration.ofSeconds(2),
        2), credentials, Clock.systemUTC(), this::resolve);
    socket = Files.createTempDirectory("egress").resolve("e.sock");
    serving = proxy.serve(TenantId.parse(tenant.tenantId()), agentId, socket);
    allow(List.of(Map.of("host", internet.address(), "ports", List.of(80)),
        Map.of("host", "internet.example.com", "ports", List.of(80)),
        Map.of("host", "rebound.example.com", "ports", List.of(80)),
        Map.of("host", "mixed.example.com", "ports", List.of(80))));
  }

  @AfterEach
  void stop() throws IOException {
    serving.close();
    proxy.destroy();
  }

  private void allow(List<Map<String, Object>> rules) {
    Api.Response put = api.put("/api/v1/tenants/" + tenant.tenantId() + "/egress", MASTER_KEY,
        Map.of("rules", rules));
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
  }

  @Test
  void connect_toAnAllowedHost_tunnels_andTheLogHasTheBytes() throws Exception {
    String answer = throughTunnel(internet.address() + ":80", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200 Connection Established").contains(TestInternet.GREETING);
    JsonNode logged = awaitLogged(1).get(0);
    assertThat(logged.path("allowed").asBoolean()).isTrue();
    assertThat(logged.path("host").asString()).isEqualTo(internet.address());
    assertThat(logged.path("agentId").asString()).isEqualTo(agentId.toString());
    assertThat(logged.path("bytesOut").asLong()).isGreaterThan(30);
    assertThat(logged.path("bytesIn").asLong()).isGreaterThan(TestInternet.GREETING.length());
    JsonNode usage = api.get("/api/v1/tenants/" + tenant.tenantId() + "/egress/usage?groupBy=host",
        tenant.apiKey()).json();
    assertThat(usage.at("/groups/0/key").asString()).isEqualTo(internet.address());
    assertThat(usage.at("/totals/bytesIn").asLong()).isEqualTo(logged.path("bytesIn").asLong());
  }

  @Test
  void plainHttp_isForwardedInOriginForm() throws Exception {
    String answer = exchange("GET " + internet.url("/bytes?n=5000") + " HTTP/1.1\r\nHost: "
        + internet.address() + "\r\nProxy-Connection: keep-alive\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200").contains("x".repeat(5000));
    assertThat(awaitLogged(1).get(0).path("bytesIn").asLong()).isGreaterThan(5000);
  }

  @Test
  void hostsNotOnTheAllowlist_andOtherPorts_areRefused_andLogged() throws Exception {
    assertThat(exchange("CONNECT registry.npmjs.org:443 HTTP/1.1\r\n\r\n"))
        .startsWith("HTTP/1.1 403").contains("registry.npmjs.org:443 is not on the tenant's egress allowlist");
    assertThat(exchange("CONNECT " + internet.address() + ":22 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403");
    List<JsonNode> logged = awaitLogged(2);
    assertThat(logged).allMatch(c -> !c.path("allowed").asBoolean());
    assertThat(logged.get(1).path("reason").asString()).contains("not on the tenant's egress allowlist");
  }

  /** A connected Slack or Discord channel lets its agent (and no other) reach the chat app's hosts on 443. */
  @Test
  void aChannelsHosts_areOpenToItsAgentOnly_besidesTheTenantsAllowlist() throws Exception {
    assertThat(exchange("CONNECT wss-primary.chat.example:443 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403")
        .contains("not on the tenant's egress allowlist");
    dev.reef.orchestration.AgentChannels slackLike = new dev.reef.orchestration.AgentChannels() {
      @Override
      public List<dev.reef.orchestration.AgentChannel> forStart(TenantId t, UUID a) {
        return List.of();
      }

      @Override
      public List<String> egressHosts(TenantId t, UUID a) {
        return a.equals(agentId) ? List.of("chat.example", "*.chat.example") : List.of();
      }
    };
    EgressProxy withChannels = new EgressProxy(policy, recorder, new EgressProperties(0, Duration.ofSeconds(2),
        Duration.ofSeconds(2), 2), credentials, Clock.systemUTC(), this::resolve);
    withChannels.channels(new org.springframework.beans.factory.support.StaticListableBeanFactory(
        Map.of("channels", slackLike)).getBeanProvider(dev.reef.orchestration.AgentChannels.class));
    java.nio.file.Path own = Files.createTempDirectory("egress").resolve("c.sock");
    java.nio.file.Path other = Files.createTempDirectory("egress").resolve("o.sock");
    try (Closeable ownServing = withChannels.serve(TenantId.parse(tenant.tenantId()), agentId, own);
        Closeable otherServing = withChannels.serve(TenantId.parse(tenant.tenantId()), UUID.randomUUID(), other)) {
      // past the allowlist (the name then does not resolve here: there is no chat app in this test)
      assertThat(exchangeOn(own, "CONNECT wss-primary.chat.example:443 HTTP/1.1\r\n\r\n"))
          .startsWith("HTTP/1.1 502").contains("cannot resolve wss-primary.chat.example");
      assertThat(exchangeOn(own, "CONNECT wss-primary.chat.example:22 HTTP/1.1\r\n\r\n"))
          .startsWith("HTTP/1.1 403");
      assertThat(exchangeOn(other, "CONNECT wss-primary.chat.example:443 HTTP/1.1\r\n\r\n"))
          .startsWith("HTTP/1.1 403");
    } finally {
      withChannels.destroy();
    }
  }

  @Test
  void anAllowedNameResolvingToLoopbackOrMetadata_isRefused() throws Exception {
    assertThat(exchange("CONNECT rebound.example.com:80 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403")
        .contains("resolves to 127.0.0.1, loopback");
    assertThat(exchange("CONNECT mixed.example.com:80 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403")
        .contains("169.254.169.254");
    assertThat(throughTunnel("internet.example.com:80", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .contains(TestInternet.GREETING);
  }

  @Test
  void anEmptyAllowlist_refusesEverything_andAChangeAppliesToTheNextConnection() throws Exception {
    allow(List.of());
    policy.changedAll();
    assertThat(exchange("CONNECT " + internet.address() + ":80 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403");
  }

  @Test
  void aSuspendedTenant_reachesNothing() throws Exception {
    assertThat(api.post("/api/v1/tenants/" + tenant.tenantId() + "/suspend", MASTER_KEY,
        Map.of("reason", "test")).status()).isLessThan(300);
    policy.changedAll();
    assertThat(exchange("CONNECT " + internet.address() + ":80 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403")
        .contains("suspended");
  }

  @Test
  void oneAgentsOpenConnections_areCapped() throws Exception {
    try (SocketChannel first = open(); SocketChannel second = open()) {
      for (SocketChannel held : List.of(first, second)) {
        write(held, "CONNECT " + internet.address() + ":80 HTTP/1.1\r\n\r\n");
        assertThat(readSome(held)).startsWith("HTTP/1.1 200");
      }
      assertThat(exchange("CONNECT " + internet.address() + ":80 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 429");
    }
  }

  @Test
  void nonsense_getsA400_andASlowHeadIsCutOff() throws Exception {
    assertThat(exchange("BREW coffee\r\n\r\n")).startsWith("HTTP/1.1 400");
    try (SocketChannel slow = open()) {
      write(slow, "CONNECT " + internet.address());
      Thread.sleep(2500);
      assertThat(slow.read(ByteBuffer.allocate(10))).isEqualTo(-1);
    }
  }

  @Test
  void tcpPort_servesAgentsThatShowTheirToken_only() throws Exception {
    EgressProxy tcp = new EgressProxy(policy, recorder, new EgressProperties(freePort(), Duration.ofSeconds(2),
        Duration.ofSeconds(2), 4), credentials, Clock.systemUTC(), this::resolve);
    tcp.afterPropertiesSet();
    try {
      UUID agent = UUID.randomUUID();
      String token = agentTokens.mint(TenantId.parse(tenant.tenantId()), agent);
      String request = "CONNECT " + internet.address() + ":80 HTTP/1.1\r\n";
      assertThat(tcpExchange(tcp.tcpPort(), request + "\r\n")).startsWith("HTTP/1.1 407");
      assertThat(tcpExchange(tcp.tcpPort(), request + "Proxy-Authorization: Basic "
          + Base64.getEncoder().encodeToString(("agent:" + tenant.apiKey()).getBytes()) + "\r\n\r\n"))
          .as("a tenant API key is not an agent").startsWith("HTTP/1.1 407");
      assertThat(tcpExchange(tcp.tcpPort(), request + "Proxy-Authorization: Basic "
          + Base64.getEncoder().encodeToString(("agent:" + token).getBytes()) + "\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      agentTokens.revoke(TenantId.parse(tenant.tenantId()), agent);
      assertThat(tcpExchange(tcp.tcpPort(), request + "Proxy-Authorization: Basic "
          + Base64.getEncoder().encodeToString(("agent:" + token).getBytes()) + "\r\n\r\n"))
          .as("a revoked token").startsWith("HTTP/1.1 407");
    } finally {
      tcp.destroy();
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------------

  private List<JsonNode> awaitLogged(int count) {
    String path = "/api/v1/tenants/" + tenant.tenantId() + "/egress/connections";
    await().atMost(Duration.ofSeconds(10)).until(() -> api.get(path, tenant.apiKey()).json().path("items")
        .size() >= count);
    return api.get(path, tenant.apiKey()).json().path("items").valueStream().toList().reversed();
  }

  private SocketChannel open() throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return channel;
  }

  private String exchange(String request) throws IOException {
    try (SocketChannel channel = open()) {
      write(channel, request);
      return readAll(channel);
    }
  }

  private static String exchangeOn(java.nio.file.Path socket, String request) throws IOException {
    try (SocketChannel channel = SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
      write(channel, request);
      return readAll(channel);
    }
  }

  private String throughTunnel(String target, String request) throws IOException {
    try (SocketChannel channel = open()) {
      write(channel, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
      String established = readSome(channel);
      if (!established.startsWith("HTTP/1.1 200")) {
        return established;
      }
      write(channel, request);
      return established + readAll(channel);
    }
  }

  private static String tcpExchange(int port, String request) throws IOException {
    try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
      write(channel, request);
      return readSome(channel);
    }
  }

  private static void write(SocketChannel channel, String text) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static String readSome(SocketChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    int n = channel.read(buffer);
    return n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1);
  }

  private static String readAll(SocketChannel channel) throws IOException {
    StringBuilder out = new StringBuilder();
    ByteBuffer buffer = ByteBuffer.allocate(16384);
    while (channel.read(buffer) >= 0) {
      out.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
      buffer.clear();
    }
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
