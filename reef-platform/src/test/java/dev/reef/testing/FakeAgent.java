package dev.reef.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for an agent runtime such as OpenClaw, small enough to start in a second: a program run as a real,
 * separate process ({@code java -cp <its own classes> dev.reef.testing.FakeAgent <config> <agent id>}) that behaves
 * like an agent toward Reef. It listens where its config says, answers {@code GET /readyz} once its startup delay
 * has passed, and serves {@code POST /v1/chat/completions} to holders of its gateway token by asking Reef's LLM
 * proxy with its agent token and model, relaying the answer (streamed or not) as it comes. It logs a line per
 * request.
 *
 * <p>Two routes show what the agent can do where it runs, as OpenClaw's own tools would (gateway token required):
 * {@code GET /debug/env} its environment, and {@code POST /debug/exec} runs the request body as a shell script and
 * answers {@code {"exit": n, "output": "..."}} - the escape suite's attacks run through it.
 *
 * <p>It uses nothing but the JDK, so it runs from a copy of its own classes inside a sandbox that shows nothing of
 * the test's class path ({@link FakeRuntime#install}).
 */
public final class FakeAgent {

  /** What {@link FakeRuntime} renders into the agent's state directory (as a properties file). */
  /** {@code proxyRetries}: like OpenClaw, call the proxy again (this many times, a second apart) when it fails. */
  /** {@code telegramBotId}: like OpenClaw with a Telegram channel, long-poll Reef's Bot API and echo each text. */
  public record Config(String listenHost, int listenPort, String gatewayToken, String agentToken,
      String proxyBaseUrl, String model, long startupDelayMillis, int proxyRetries, String telegramBotId) {

    public Config(String listenHost, int listenPort, String gatewayToken, String agentToken, String proxyBaseUrl,
        String model, long startupDelayMillis) {
      this(listenHost, listenPort, gatewayToken, agentToken, proxyBaseUrl, model, startupDelayMillis, 0, "");
    }

    String render() {
      return "listenHost=" + listenHost + "\nlistenPort=" + listenPort + "\ngatewayToken=" + gatewayToken
          + "\nagentToken=" + agentToken + "\nproxyBaseUrl=" + proxyBaseUrl + "\nmodel=" + model
          + "\nstartupDelayMillis=" + startupDelayMillis + "\nproxyRetries=" + proxyRetries
          + "\ntelegramBotId=" + (telegramBotId == null ? "" : telegramBotId) + "\n";
    }

    static Config parse(String text) throws IOException {
      Properties p = new Properties();
      p.load(new StringReader(text));
      return new Config(p.getProperty("listenHost"), Integer.parseInt(p.getProperty("listenPort")),
          p.getProperty("gatewayToken"), p.getProperty("agentToken"), p.getProperty("proxyBaseUrl"),
          p.getProperty("model"), Long.parseLong(p.getProperty("startupDelayMillis")),
          Integer.parseInt(p.getProperty("proxyRetries", "0")), p.getProperty("telegramBotId", ""));
    }
  }

  private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

  private final Config config;
  private final long readyAt;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  private FakeAgent(Config config) {
    this.config = config;
    this.readyAt = System.nanoTime() + Duration.ofMillis(config.startupDelayMillis()).toNanos();
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: FakeAgent <config> [agent id]");
      System.exit(2);
    }
    Config config = Config.parse(Files.readString(Path.of(args[0])));
    new FakeAgent(config).serve();
  }

  private void serve() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(config.listenHost(), config.listenPort()), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> log("stopping")));
    log("listening on " + config.listenHost() + ":" + config.listenPort() + ", model " + config.model());
    if (!config.telegramBotId().isEmpty()) {
      Thread.ofVirtual().name("telegram").start(this::pollTelegram);
    }
  }

  private static final Pattern UPDATE = Pattern.compile(
      "\"update_id\":(\\d+).*?\"chat\":\\{\"id\":(-?\\d+).*?\"text\":\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.DOTALL);

  /**
   * What OpenClaw's Telegram channel does, in miniature: long-polls {@code getUpdates} on Reef's Bot API with its
   * offset (acknowledging what it has), and answers each text message with {@code sendMessage} "echo: <text>".
   */
  private void pollTelegram() {
    String api = config.proxyBaseUrl() + "/telegram/bot" + config.telegramBotId() + ":" + config.agentToken() + "/";
    long offset = 0;
    while (true) {
      try {
        HttpResponse<String> updates = http.send(HttpRequest.newBuilder(URI.create(api + "getUpdates"))
            .timeout(Duration.ofSeconds(40)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"timeout\":10" + (offset > 0 ? ",\"offset\":" + offset
                : "") + "}")).build(), HttpResponse.BodyHandlers.ofString());
        if (updates.statusCode() != 200) {
          log("telegram getUpdates " + updates.statusCode() + " " + updates.body());
          Thread.sleep(1000);
          continue;
        }
        Matcher m = UPDATE.matcher(updates.body());
        while (m.find()) {
          log("telegram update " + m.group(1) + ": " + m.group(3));
          HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(api + "sendMessage"))
              .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"chat_id\":" + m.group(2) + ",\"text\":\"echo: "
                  + m.group(3) + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
          log("telegram sendMessage " + sent.statusCode());
          offset = Long.parseLong(m.group(1)) + 1;
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        log("telegram: " + e);
        try {
          Thread.sleep(1000);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      int status = switch (route) {
        case "GET /readyz" -> System.nanoTime() - readyAt >= 0
            ? send(exchange, 200, "{\"ready\":true}") : send(exchange, 503, "{\"ready\":false}");
        case "POST /v1/chat/completions" -> authorized(exchange) ? chat(exchange) : unauthorized(exchange);
        case "GET /debug/env" -> authorized(exchange)
            ? send(exchange, 200, json(new TreeMap<>(System.getenv()))) : unauthorized(exchange);
        case "POST /debug/exec" -> authorized(exchange) ? exec(exchange) : unauthorized(exchange);
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
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String model = "\"model\":\"" + config.model() + "\"";
    Matcher m = MODEL.matcher(body);
    body = m.find() ? m.replaceFirst(Matcher.quoteReplacement(model)) : body.replaceFirst("\\{", "{" + model + ",");
    HttpRequest request = HttpRequest.newBuilder(URI.create(config.proxyBaseUrl() + "/chat/completions"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + config.agentToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<InputStream> upstream;
    try {
      upstream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      for (int retry = 0; retry < config.proxyRetries() && upstream.statusCode() >= 500; retry++) {
        upstream.body().close();
        Thread.sleep(1000);
        upstream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return send(exchange, 502, "{\"error\":{\"message\":\"interrupted\"}}");
    } catch (IOException e) {
      return send(exchange, 502, "{\"error\":{\"message\":" + quote("cannot reach the proxy: " + e) + "}}");
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

  /** Runs the body as a shell script where the agent runs, as the agent; answers its exit code and output. */
  private int exec(HttpExchange exchange) throws IOException {
    String script = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Process process = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    byte[] output = process.getInputStream().readNBytes(64 * 1024);
    int exit;
    try {
      if (!process.waitFor(EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        exit = -1;
      } else {
        exit = process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exit = -1;
    }
    return send(exchange, 200, "{\"exit\":" + exit + ",\"output\":"
        + quote(new String(output, StandardCharsets.UTF_8)) + "}");
  }

  private static int send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    return status;
  }

  private static String json(Map<String, String> map) {
    StringBuilder out = new StringBuilder("{");
    map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
    return out.append('}').toString();
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void log(String line) {
    System.out.println("fake-agent: " + line);
    System.out.flush();
  }
}
