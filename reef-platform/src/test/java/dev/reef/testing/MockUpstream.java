package dev.reef.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;

/**
 * A fake LLM provider for tests - the one thing outside Reef that tests may mock. It speaks enough of the OpenAI
 * API ({@code /v1/chat/completions}, {@code /v1/embeddings}, {@code /v1/responses}) and of Anthropic's
 * ({@code /v1/messages}) for Reef and the official SDKs, streamed and not, with deterministic usage, and it can be
 * told to fail, slow down or stall. It records every request it receives.
 */
public final class MockUpstream implements AutoCloseable {

  /** One request as the provider saw it. */
  public record Seen(String path, Map<String, String> headers, JsonNode body) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger failureStatus = new AtomicInteger(500);
  private final AtomicInteger cancelledStreams = new AtomicInteger();
  private static final String LEAVE = "reef.mock.leave";
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicReference<Duration> latency = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<Duration> chunkDelay = new AtomicReference<>(Duration.ZERO);
  private volatile String reply = "Hello from the mock provider";
  /** A tool call to answer with once, to the next chat request that offers a tool of that name. */
  private final AtomicReference<String[]> toolCall = new AtomicReference<>();
  private volatile int promptTokens = 11;
  private volatile int completionTokens = 7;
  private volatile int cachedTokens = 0;
  private volatile int cacheCreationTokens = 0;

  public MockUpstream() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  /** Base URL in the OpenAI style, e.g. {@code http://127.0.0.1:1234/v1}. */
  public String openAiBaseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Base URL in the Anthropic style (no {@code /v1}). */
  public String anthropicBaseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public MockUpstream reply(String text) {
    this.reply = text;
    return this;
  }

  /**
   * The next chat request that offers a tool called {@code tool} is answered with a call of it, with these
   * arguments (a JSON object), as a model would; requests after that get the reply again.
   */
  public MockUpstream callToolOnce(String tool, String argumentsJson) {
    toolCall.set(new String[] {tool, argumentsJson});
    return this;
  }

  /** The result an agent sent back for a tool call (the content of its first {@code tool} message), if any. */
  public java.util.Optional<String> toolResult() {
    for (Seen s : requests()) {
      for (JsonNode message : s.body().path("messages")) {
        if (message.path("role").asString().equals("tool")) {
          JsonNode content = message.path("content");
          return java.util.Optional.of(content.isString() ? content.asString() : content.toString());
        }
      }
    }
    return java.util.Optional.empty();
  }

  private String[] takeToolCall(JsonNode body) {
    String[] pending = toolCall.get();
    if (pending == null) {
      return null;
    }
    for (JsonNode tool : body.path("tools")) {
      if (tool.path("function").path("name").asString().equals(pending[0])
          && toolCall.compareAndSet(pending, null)) {
        return pending;
      }
    }
    return null;
  }

  public MockUpstream usage(int prompt, int completion, int cached) {
    this.promptTokens = prompt;
    this.completionTokens = completion;
    this.cachedTokens = cached;
    return this;
  }

  public MockUpstream cacheCreation(int tokens) {
    this.cacheCreationTokens = tokens;
    return this;
  }

  /** The next {@code count} requests fail with {@code status}. */
  public MockUpstream failNext(int count, int status) {
    failureStatus.set(status);
    failures.set(count);
    return this;
  }

  /** Wait before answering each request. */
  public MockUpstream latency(Duration d) {
    latency.set(d);
    return this;
  }

  /** Wait between streamed chunks. */
  public MockUpstream chunkDelay(Duration d) {
    chunkDelay.set(d);
    return this;
  }

  public List<Seen> requests() {
    return new ArrayList<>(seen);
  }

  public Seen lastRequest() {
    List<Seen> all = requests();
    return all.isEmpty() ? null : all.getLast();
  }

  public int requestCount() {
    return seen.size();
  }

  /** Streams whose client (Reef) went away before the end. */
  public int cancelledStreams() {
    return cancelledStreams.get();
  }

  public int maxConcurrentRequests() {
    return maxInFlight.get();
  }

  public void reset() {
    seen.clear();
    failures.set(0);
    latency.set(Duration.ZERO);
    chunkDelay.set(Duration.ZERO);
    cancelledStreams.set(0);
    maxInFlight.set(0);
    reply = "Hello from the mock provider";
    promptTokens = 11;
    completionTokens = 7;
    cachedTokens = 0;
    cacheCreationTokens = 0;
    toolCall.set(null);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    AtomicBoolean left = new AtomicBoolean();
    Runnable leave = () -> {
      if (left.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
    exchange.setAttribute(LEAVE, leave);
    try (exchange) {
      byte[] bytes = exchange.getRequestBody().readAllBytes();
      JsonNode body = bytes.length == 0 ? Api.JSON.nullNode() : Api.JSON.readTree(bytes);
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
      String path = exchange.getRequestURI().getPath();
      seen.add(new Seen(path, headers, body));
      sleep(latency.get());
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        send(exchange, failureStatus.get(), "{\"error\":{\"message\":\"mock failure\",\"type\":\"server_error\"}}");
        return;
      }
      boolean stream = body.path("stream").asBoolean(false);
      switch (path) {
        case "/v1/chat/completions" -> {
          if (stream) {
            chatStream(exchange, body);
          } else {
            send(exchange, 200, chat(body));
          }
        }
        case "/v1/models" -> send(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"mock-1\"}]}");
        case "/v1/embeddings" -> send(exchange, 200, """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],
             "model":"%s","usage":{"prompt_tokens":%d,"total_tokens":%d}}"""
            .formatted(body.path("model").asString(), promptTokens, promptTokens));
        case "/v1/responses" -> {
          if (stream) {
            responsesStream(exchange, body);
          } else {
            send(exchange, 200, responses(body));
          }
        }
        case "/v1/messages" -> {
          if (stream) {
            messagesStream(exchange, body);
          } else {
            send(exchange, 200, messages(body));
          }
        }
        default -> send(exchange, 404, "{\"error\":{\"message\":\"no such path\",\"type\":\"invalid_request_error\"}}");
      }
    } finally {
      leave.run();
    }
  }

  private String chat(JsonNode body) {
    String[] call = takeToolCall(body);
    if (call != null) {
      return """
          {"id":"chatcmpl-mock","object":"chat.completion","created":1700000000,"model":"%s",
           "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_mock_1",
             "type":"function","function":{"name":%s,"arguments":%s}}]},"finish_reason":"tool_calls"}],
           "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
          .formatted(body.path("model").asString(), quote(call[0]), quote(call[1]), promptTokens, completionTokens,
              promptTokens + completionTokens);
    }
    return """
        {"id":"chatcmpl-mock","object":"chat.completion","created":1700000000,"model":"%s",
         "choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,
                  "prompt_tokens_details":{"cached_tokens":%d}}}"""
        .formatted(body.path("model").asString(), quote(reply), promptTokens, completionTokens,
            promptTokens + completionTokens, cachedTokens);
  }

  private void chatStream(HttpExchange exchange, JsonNode body) throws IOException {
    String model = body.path("model").asString();
    List<String> events = new ArrayList<>();
    events.add(chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
    String[] call = takeToolCall(body);
    if (call != null) {
      events.add(chunk(model, "{\"tool_calls\":[{\"index\":0,\"id\":\"call_mock_1\",\"type\":\"function\","
          + "\"function\":{\"name\":" + quote(call[0]) + ",\"arguments\":" + quote(call[1]) + "}}]}", null));
      events.add(chunk(model, "{}", "\"tool_calls\""));
    } else {
      for (String word : words()) {
        events.add(chunk(model, "{\"content\":" + quote(word) + "}", null));
      }
      events.add(chunk(model, "{}", "\"stop\""));
    }
    if (body.path("stream_options").path("include_usage").asBoolean(false)) {
      events.add("{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
          + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":"
          + completionTokens + ",\"total_tokens\":" + (promptTokens + completionTokens)
          + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cachedTokens + "}}}");
    }
    events.add("[DONE]");
    stream(exchange, events.stream().map(e -> "data: " + e + "\n\n").toList());
  }

  private static String chunk(String model, String delta, String finish) {
    return "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
        + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
  }

  private String responses(JsonNode body) {
    return """
        {"id":"resp_mock","object":"response","created_at":1700000000,"status":"completed","model":"%s",
         "output":[{"type":"message","id":"msg_mock","status":"completed","role":"assistant",
                    "content":[{"type":"output_text","text":%s,"annotations":[]}]}],
         "usage":{"input_tokens":%d,"input_tokens_details":{"cached_tokens":%d},"output_tokens":%d,
                  "output_tokens_details":{"reasoning_tokens":0},"total_tokens":%d}}"""
        .formatted(body.path("model").asString(), quote(reply), promptTokens, cachedTokens, completionTokens,
            promptTokens + completionTokens);
  }

  private void responsesStream(HttpExchange exchange, JsonNode body) throws IOException {
    List<String> events = new ArrayList<>();
    events.add(sse("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_mock\",\"status\":\"in_progress\"}}"));
    for (String word : words()) {
      events.add(sse("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":" + quote(word) + "}"));
    }
    String completed = responses(body).replace("\n", "");
    events.add(sse("response.completed", "{\"type\":\"response.completed\",\"response\":" + completed + "}"));
    stream(exchange, events);
  }

  private String messages(JsonNode body) {
    return """
        {"id":"msg_mock","type":"message","role":"assistant","model":"%s",
         "content":[{"type":"text","text":%s}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"output_tokens":%d}}"""
        .formatted(body.path("model").asString(), quote(reply), promptTokens, cacheCreationTokens, cachedTokens,
            completionTokens);
  }

  private void messagesStream(HttpExchange exchange, JsonNode body) throws IOException {
    String model = body.path("model").asString();
    List<String> events = new ArrayList<>();
    events.add(sse("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":" + promptTokens + ",\"cache_creation_input_tokens\":" + cacheCreationTokens
        + ",\"cache_read_input_tokens\":" + cachedTokens + ",\"output_tokens\":1}}}"));
    events.add(sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    for (String word : words()) {
      events.add(sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(word) + "}}"));
    }
    events.add(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
    // The final running totals repeat the cache counts, as Anthropic's API does: they must not be added twice.
    events.add(sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
        + "\"usage\":{\"input_tokens\":" + promptTokens + ",\"cache_creation_input_tokens\":" + cacheCreationTokens
        + ",\"cache_read_input_tokens\":" + cachedTokens + ",\"output_tokens\":" + completionTokens + "}}"));
    events.add(sse("message_stop", "{\"type\":\"message_stop\"}"));
    stream(exchange, events);
  }

  private List<String> words() {
    List<String> words = new ArrayList<>();
    String[] parts = reply.split(" ");
    for (int i = 0; i < parts.length; i++) {
      words.add(i == 0 ? parts[i] : " " + parts[i]);
    }
    return words;
  }

  private static String sse(String event, String data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
  }

  private void stream(HttpExchange exchange, List<String> events) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    try {
      for (String event : events) {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(chunkDelay.get());
      }
    } catch (IOException e) {
      cancelledStreams.incrementAndGet();
      throw e;
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    // A call stops counting as in flight before its answer is sent: once the client has the whole answer it may
    // send the next call, which must not find this one still counted (a race the caller cannot see).
    if (exchange.getAttribute(LEAVE) instanceof Runnable leave) {
      leave.run();
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static String quote(String s) {
    return Api.JSON.writeValueAsString(s);
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
