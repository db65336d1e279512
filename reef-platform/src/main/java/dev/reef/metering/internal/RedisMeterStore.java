package dev.reef.metering.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connection and the meter's Lua scripts.
 *
 * <p>Design note: one shared, pipelined Lettuce connection serves every thread (its sync API blocks only the
 * calling virtual thread). Every wait is bounded by a short timeout, and while Redis is down commands are rejected
 * at once rather than queued, so an unreachable Redis costs a request at most one timeout. Connecting is never a
 * caller's wait: the first connection is made in the background (at start-up Reef waits for it a few seconds), with
 * a connect timeout of its own, longer than a command's, and retried every second until it succeeds; callers until
 * then fail at once (and the meter fails open or closed, as configured), and after it Lettuce reconnects on its
 * own. (A connect that had to fit in a command's 200 ms failed on a busy host at start-up, and every call of the
 * following second was refused: a fresh replica's whole first burst answered 503 with Redis healthy.) Scripts are
 * loaded once and run with EVALSHA; a Redis that lost them (restart, {@code SCRIPT FLUSH}) answers NOSCRIPT and they
 * are loaded again.
 */
final class RedisMeterStore implements AutoCloseable {

  /** Thrown when Redis cannot be reached or does not answer in time. */
  static final class UnavailableException extends RuntimeException {
    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }

    /** True when the command was sent but not answered in time: Redis may still run it later. */
    boolean timedOut() {
      return getCause() instanceof RedisCommandTimeoutException;
    }
  }

  enum Script {
    RESERVE("reserve"), SETTLE("settle"), RELEASE("release"), RENEW("renew"), RELEASE_OWNED("releaseowned"),
    SNAPSHOT("snapshot"), SEED("seed"), CHARGE("charge");

    private final String file;

    Script(String file) {
      this.file = file;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(RedisMeterStore.class);
  /** Opening a connection may take this long; it happens in the background, never in a caller's call. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RECONNECT_PAUSE = Duration.ofSeconds(1);

  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final Map<Script, String> sources = new EnumMap<>(Script.class);
  private final Map<Script, String> shas = new java.util.concurrent.ConcurrentHashMap<>();
  private final ReentrantLock connecting = new ReentrantLock();
  private final Duration timeout;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile Thread connector;
  private volatile boolean closed;

  RedisMeterStore(String url, Duration timeout) {
    this.uri = RedisURI.create(url);
    this.timeout = timeout;
    uri.setTimeout(CONNECT_TIMEOUT); // only for opening the connection; commands get the short one
    // Reconnect quickly once Redis is back (Lettuce's default backs off to 30 s, that long failing for nothing).
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(true).connectionTimeout().build()) // set per connection
        .build());
    String prelude = resource("prelude");
    for (Script script : Script.values()) {
      sources.put(script, prelude + "\n" + resource(script.file));
    }
  }

  /** Runs a script; its reply is a Long, a String or a list of them. */
  Object run(Script script, List<String> keys, List<String> args) {
    RedisCommands<String, String> commands = commands();
    String[] keyArray = keys.toArray(String[]::new);
    String[] argArray = args.toArray(String[]::new);
    try {
      try {
        return commands.evalsha(sha(commands, script), ScriptOutputType.OBJECT, keyArray, argArray);
      } catch (RedisNoScriptException flushed) {
        shas.remove(script);
        return commands.evalsha(sha(commands, script), ScriptOutputType.OBJECT, keyArray, argArray);
      }
    } catch (RedisCommandExecutionException refused) {
      if (refused.getMessage() != null && refused.getMessage().startsWith("ERR")) {
        // A bug in a script or in its arguments, not an outage: failing open would hide it.
        throw new IllegalStateException("Meter script " + script + " failed: " + refused.getMessage(), refused);
      }
      throw unavailable(refused); // LOADING, BUSY, READONLY, MASTERDOWN...: Redis is there but cannot serve
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  /**
   * Connects and loads every script now, allowing {@code allowed} for it, so the first requests after start-up do
   * not pay for the connection, the script loads and Lettuce's cold code paths within the short per-command timeout
   * (on a busy machine the first script call alone can take longer, and would fail the request). An unreachable
   * Redis is only logged: the meter's fail mode decides what requests get, as it does later.
   */
  void warmUp(Duration allowed) {
    long deadline = System.nanoTime() + allowed.toNanos();
    startConnecting();
    try {
      while (connection == null && System.nanoTime() - deadline < 0 && !closed) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    StatefulRedisConnection<String, String> current = connection;
    if (current == null) {
      log.warn("Redis at {} did not answer at start-up; the meter keeps trying", where());
      return;
    }
    // Lettuce's and the scripts' cold paths, with time to spare: a busy host at start-up is slow the first time.
    current.setTimeout(allowed);
    try {
      RedisCommands<String, String> commands = current.sync();
      for (int i = 0; i < 3; i++) {
        commands.ping();
      }
      for (Script script : Script.values()) {
        sha(commands, script);
      }
    } catch (RedisException e) {
      log.warn("Redis at {} did not answer at start-up ({}); the meter keeps trying", where(), e.getMessage());
    } finally {
      current.setTimeout(timeout);
    }
  }

  /** How long a command may wait for Redis's answer. */
  Duration timeout() {
    return timeout;
  }

  /**
   * Every key matching {@code pattern} (SCAN, so Redis is never blocked), for the rare whole-keyspace chores such as
   * releasing what this replica held before a restart.
   */
  List<String> keys(String pattern) {
    try {
      RedisCommands<String, String> commands = commands();
      List<String> found = new java.util.ArrayList<>();
      io.lettuce.core.ScanArgs match = io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(1_000);
      io.lettuce.core.KeyScanCursor<String> page = commands.scan(match);
      found.addAll(page.getKeys());
      while (!page.isFinished()) {
        page = commands.scan(page, match);
        found.addAll(page.getKeys());
      }
      return found;
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  void ping() {
    try {
      commands().ping();
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  private String sha(RedisCommands<String, String> commands, Script script) {
    String sha = shas.get(script);
    if (sha == null) {
      sha = commands.scriptLoad(sources.get(script));
      shas.put(script, sha);
    }
    return sha;
  }

  private RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> current = connection;
    if (current == null) {
      startConnecting();
      throw new UnavailableException("Redis at " + where() + " is not connected yet", null);
    }
    return current.sync();
  }

  /** Starts the background connector unless it runs or a connection exists. */
  private void startConnecting() {
    connecting.lock();
    try {
      if (connection == null && connector == null && !closed) {
        connector = Thread.ofVirtual().name("reef-meter-redis-connect").start(this::connectUntilConnected);
      }
    } finally {
      connecting.unlock();
    }
  }

  private void connectUntilConnected() {
    try {
      while (!closed) {
        try {
          StatefulRedisConnection<String, String> opened = client.connect(StringCodec.UTF8, uri);
          opened.setTimeout(timeout); // the URI's timeout was for connecting
          connection = opened;
          return;
        } catch (RedisException e) {
          log.debug("Connecting to Redis at {} failed: {}", where(), e.getMessage());
          Thread.sleep(RECONNECT_PAUSE);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      connector = null;
    }
  }

  private UnavailableException unavailable(RedisException e) {
    return new UnavailableException("Redis at " + where() + " is unreachable: " + e.getMessage(), e);
  }

  /** Host and port only: the URL may carry a password. */
  private String where() {
    return uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public void close() {
    closed = true;
    Thread running = connector;
    if (running != null) {
      running.interrupt();
    }
    StatefulRedisConnection<String, String> current = connection;
    if (current != null) {
      current.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  private static String resource(String name) {
    String path = "redis/" + name + ".lua";
    try (InputStream in = RedisMeterStore.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Missing meter script " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
