package dev.reef.metering.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisClient;
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
 * at once rather than queued, so an unreachable Redis costs a request at most one timeout. The connection is made
 * lazily, and a failed attempt is not repeated for a second, so Reef starts (and fails open or closed, as
 * configured) even when Redis is down. Scripts are loaded once and run with EVALSHA; a Redis that lost them
 * (restart, {@code SCRIPT FLUSH}) answers NOSCRIPT and they are loaded again.
 */
final class RedisMeterStore implements AutoCloseable {

  /** Thrown when Redis cannot be reached or does not answer in time. */
  static final class UnavailableException extends RuntimeException {
    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  enum Script {
    RESERVE("reserve"), SETTLE("settle"), RELEASE("release"), KEEP_ALIVE("keepalive"), SNAPSHOT("snapshot"),
    SEED("seed"), CHARGE("charge");

    private final String file;

    Script(String file) {
      this.file = file;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(RedisMeterStore.class);
  private static final long RECONNECT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final Map<Script, String> sources = new EnumMap<>(Script.class);
  private final Map<Script, String> shas = new java.util.concurrent.ConcurrentHashMap<>();
  private final ReentrantLock connecting = new ReentrantLock();
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile long nextConnectAttempt = System.nanoTime();

  RedisMeterStore(String url, Duration timeout) {
    this.uri = RedisURI.create(url);
    uri.setTimeout(timeout);
    // Reconnect quickly once Redis is back (Lettuce's default backs off to 30 s, that long failing for nothing).
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(true).connectionTimeout().build()) // the URI's
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
    try {
      StatefulRedisConnection<String, String> current = connection != null ? connection : connect();
      Duration timeout = uri.getTimeout();
      current.setTimeout(allowed);
      try {
        RedisCommands<String, String> commands = current.sync();
        commands.ping();
        for (Script script : Script.values()) {
          sha(commands, script);
        }
      } finally {
        current.setTimeout(timeout);
      }
    } catch (RedisException | UnavailableException e) {
      log.warn("Redis at {} did not answer at start-up ({}); the meter keeps trying", where(), e.getMessage());
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
    return current != null ? current.sync() : connect().sync();
  }

  /** A lock, not {@code synchronized}: a virtual thread waiting out a connect must not pin its carrier. */
  private StatefulRedisConnection<String, String> connect() {
    connecting.lock();
    try {
      if (connection != null) {
        return connection;
      }
      if (System.nanoTime() - nextConnectAttempt < 0) {
        throw new UnavailableException("Redis at " + where() + " was unreachable moments ago", null);
      }
      try {
        connection = client.connect(StringCodec.UTF8, uri);
        return connection;
      } catch (RedisException e) {
        nextConnectAttempt = System.nanoTime() + RECONNECT_PAUSE_NANOS;
        throw unavailable(e);
      }
    } finally {
      connecting.unlock();
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
