package dev.reef.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Redis the integration tests use: {@code 127.0.0.1:6379}, or {@code REEF_TEST_REDIS_URL}. Missing Redis skips
 * the test on a laptop and fails it in CI ({@link RequiredService}). Tests share the server, so each one works under
 * its own {@link #uniquePrefix() key prefix} and {@link #deleteKeys deletes} its keys afterwards.
 */
public final class TestRedis {

  private static final String URL = System.getenv().getOrDefault("REEF_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private TestRedis() {}

  public static String url() {
    return URL;
  }

  /** Skips (laptop) or fails (CI) the calling test when Redis does not answer. */
  public static void require() {
    RequiredService.require(unavailableReason(),
        "Install and start Redis (apt-get install redis-server) or set REEF_TEST_REDIS_URL.");
  }

  public static String unavailableReason() {
    try {
      withCommands(RedisCommands::ping);
      return null;
    } catch (RedisException e) {
      return "Redis is not reachable at " + URL + " (" + e.getMessage() + ")";
    }
  }

  /** A prefix no other test uses, e.g. {@code reef-test:3f2a9c1e:}. */
  public static String uniquePrefix() {
    return "reef-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Deletes every key under the prefix; returns how many there were. */
  public static long deleteKeys(String prefix) {
    return withCommands(redis -> {
      List<String> found = keys(redis, prefix);
      return found.isEmpty() ? 0L : redis.del(found.toArray(String[]::new));
    });
  }

  /** Every key under the prefix. */
  public static List<String> keys(String prefix) {
    return withCommands(redis -> keys(redis, prefix));
  }

  public static <T> T withCommands(java.util.function.Function<RedisCommands<String, String>, T> work) {
    RedisURI uri = RedisURI.create(URL);
    uri.setTimeout(Duration.ofSeconds(2));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return work.apply(connection.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  private static List<String> keys(RedisCommands<String, String> redis, String prefix) {
    List<String> found = new ArrayList<>();
    ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(500);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = redis.scan(cursor, match);
      found.addAll(page.getKeys());
      cursor = page;
    } while (!cursor.isFinished());
    return found;
  }
}
