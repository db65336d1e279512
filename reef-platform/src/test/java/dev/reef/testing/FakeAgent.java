package dev.reef.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for an agent runtime such as OpenClaw, small enough to start in a second: a program run as a real,
 * separate process ({@code java -cp <test classpath> dev.reef.testing.FakeAgent <config.json>}) that behaves like
 * an agent toward Reef. It listens where its config says, answers {@code GET /readyz} once its startup delay has
 * passed, and serves {@code POST /v1/chat/completions} to holders of its gateway token by asking Reef's LLM proxy
 * with its agent token and model, relaying the answer (streamed or not) as it comes. {@code GET /debug/env} shows
 * its environment (gateway token required), so tests can see what leaked into it. It logs a line per request.
 */
public final class FakeAgent {

  /** What {@link FakeRuntime} renders into the agent's state directory. */
  public record Config(String listenHost, int listenPort, String gatewayToken, String agentToken,
      String proxyBaseUrl, String model, long startupDelayMillis) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Config config;
  private final long readyAt;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  private FakeAgent(Config config) {
    this.config = config;
    this.readyAt = System.nanoTime() + Duration.ofMillis(config.startupDelayMillis()).toNanos();
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: FakeAgent <config.json>");
      System.exit(2);
    }
    Config config = JSON.readValue(Files.readAllBytes(Path.of(args[0])), Config.class);
    new FakeAgent(config).serve();
  }

  private void serve() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(config.listenHost(), config.listenPort()), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> log("stopping")));
    log("listening on " + config.listenHost() + ":" + config.listenPort() + ", model " + config.model());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      int status = switch (route) {
        case "GET /readyz" -> System.nanoTime() - readyAt >= 0
            ? send(exchange, 200, "{\"ready\":true}") : send(exchange, 503, "{\"ready\":false}");
        case "POST /v1/chat/completions" -> authorized(exchange) ? chat(exchange) : unauthorized(exchange);
        case "GET /debug/env" -> authorized(exchange)
            ? send(exchange, 200, JSON.writeValueAsString(new TreeMap<>(System.getenv()))) : unauthorized(exchange);
        default -> send(exchange, 404, "{\"error\":{\"message\":\"no such route\"}}");
      };
      log(route + " " + status);
    }
  }

  private boolean authorized(HttpExchange exchange) {
    return ("Bearer " + config.gatewayToken()).equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }

  private static int unauthorized(HttpExchange exchange) throws IOException {
    return send(exchange, 401, "{\"error\":{\"message\":\"a valid gateway token is required\"}}");
  }

  /** Asks Reef's proxy with this agent's credentials and model, and relays the answer chunk by chunk. */
  private int chat(HttpExchange exchange) throws IOException {
    ObjectNode body = (ObjectNode) JSON.readTree(exchange.getRequestBody().readAllBytes());
    body.put("model", config.model());
    HttpRequest request = HttpRequest.newBuilder(URI.create(config.proxyBaseUrl() + "/chat/completions"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + config.agentToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .build();
    HttpResponse<InputStream> upstream;
    try {
      upstream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return send(exchange, 502, "{\"error\":{\"message\":\"interrupted\"}}");
    } catch (IOException e) {
      return send(exchange, 502, "{\"error\":{\"message\":\"cannot reach the proxy: " + e.getMessage() + "\"}}");
    }
    upstream.headers().firstValue("Content-Type")
        .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
    exchange.sendResponseHeaders(upstream.statusCode(), 0);
    try (InputStream in = upstream.body(); OutputStream out = exchange.getResponseBody()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
    return upstream.statusCode();
  }

  private static int send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    return status;
  }

  private static void log(String line) {
    System.out.println("fake-agent: " + line);
    System.out.flush();
  }
}
