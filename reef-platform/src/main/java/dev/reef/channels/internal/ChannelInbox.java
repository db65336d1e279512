package dev.reef.channels.internal;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.orchestration.Agent;
import dev.reef.orchestration.AgentState;
import dev.reef.orchestration.Agents;
import dev.reef.orchestration.DesiredState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a channel's updates wait for their agent. An update is kept (committed) before the channel is told it
 * arrived, so nothing is lost when Reef or the agent stops right after; it is handed to the agent in update order,
 * again and again until the agent acknowledges it (Telegram's {@code getUpdates} offset), and an update sent twice
 * is kept once. A sleeping agent is woken at once, and again by a sweep while updates wait for it (so an update
 * accepted just before a Reef restart, or while the agent was being stopped, still reaches it).
 */
@Component
class ChannelInbox {

  private static final Logger log = LoggerFactory.getLogger(ChannelInbox.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** How often a waiting {@code getUpdates} looks again, for an update another replica took in. */
  private static final Duration RECHECK = Duration.ofSeconds(1);
  static final int MAX_UPDATE_BYTES = 1 << 20;

  /** What became of an update a channel sent. */
  sealed interface Received {
    record Kept(boolean isNew) implements Received {}

    record UnknownHook() implements Received {}

    record WrongSecret() implements Received {}

    record Invalid(String why) implements Received {}
  }

  private final ChannelRepository channels;
  private final ChannelUpdateRepository updates;
  private final Agents agents;
  private final ChannelsProperties properties;
  private final TransactionTemplate tx;
  private final Clock clock;
  /** Per channel: what a waiting getUpdates sleeps on until an update arrives (a lock: no pinned virtual threads). */
  private final ConcurrentHashMap<UUID, Arrival> arrivals = new ConcurrentHashMap<>();
  /** Hook ids that were asked for and do not exist (a new hook id is random, so never one of these). */
  private final com.github.benmanes.caffeine.cache.Cache<UUID, Boolean> unknownHooks =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1))
          .maximumSize(100_000).build();

  private static final class Arrival {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
  }

  ChannelInbox(ChannelRepository channels, ChannelUpdateRepository updates, Agents agents,
      ChannelsProperties properties, TransactionTemplate tx, Clock clock) {
    this.channels = channels;
    this.updates = updates;
    this.agents = agents;
    this.properties = properties;
    this.tx = tx;
    this.clock = clock;
  }

  /** A Telegram update that came to the webhook {@code hookId} with {@code secret} in its secret-token header. */
  Received receiveTelegram(UUID hookId, String secret, byte[] body) {
    if (unknownHooks.getIfPresent(hookId) != null) {
      return new Received.UnknownHook(); // the endpoint is public: guessing costs no database query
    }
    Optional<ChannelRow> found = DataScope.callAsPlatform(() -> channels.findByHookAcrossTenants(hookId));
    if (found.isEmpty()) {
      unknownHooks.put(hookId, Boolean.TRUE);
      return new Received.UnknownHook();
    }
    ChannelRow channel = found.get();
    if (secret == null || !MessageDigest.isEqual(ChannelService.sha256(secret).getBytes(StandardCharsets.UTF_8),
        channel.webhookSecretHash().getBytes(StandardCharsets.UTF_8))) {
      return new Received.WrongSecret();
    }
    if (body.length > MAX_UPDATE_BYTES) {
      return new Received.Invalid("an update is at most " + MAX_UPDATE_BYTES + " bytes");
    }
    long updateId;
    try {
      JsonNode update = JSON.readTree(body);
      if (!update.path("update_id").canConvertToLong() || !update.path("update_id").isIntegralNumber()) {
        return new Received.Invalid("an update needs a numeric update_id");
      }
      updateId = update.path("update_id").asLong();
    } catch (RuntimeException e) {
      return new Received.Invalid("the body is not a JSON update");
    }
    return new Received.Kept(keep(channel, updateId, body, "a Telegram message arrived"));
  }

  /** Keeps an update unless the channel has it already; a new one wakes the agent. Answers whether it was new. */
  private boolean keep(ChannelRow channel, long updateId, byte[] payload, String why) {
    TenantId tenantId = channel.tenantId();
    Instant now = clock.instant();
    boolean isNew;
    try {
      isNew = DataScope.callAs(tenantId, () -> updates.insertIfNew(tenantId, channel.hookId(), updateId,
          new String(payload, StandardCharsets.UTF_8), now));
    } catch (DuplicateKeyException raced) {
      isNew = false; // the same update twice at the same moment: the other request kept it
    }
    if (isNew) {
      inTenant(tenantId, () -> {
        channels.messageArrived(tenantId, channel.hookId(), now);
        return null;
      });
      signal(channel.hookId());
      Thread.ofVirtual().name("channel-wake").start(() -> wake(channel, why));
    }
    return isNew;
  }

  /**
   * A Slack message event that came over the Socket Mode connection Reef holds for the channel: kept (once: its
   * {@code ts}, in microseconds, is its update id, so Slack's redelivery of the same message is taken once, and the
   * agent gets a channel's messages in the order they were written), the agent woken. Answers whether it was new.
   */
  boolean receiveSlack(ChannelRow channel, JsonNode event) {
    String ts = event.path("ts").asString("");
    if (!ts.matches("\\d{1,12}\\.\\d{1,6}")) {
      return false;
    }
    String[] parts = ts.split("\\.");
    long updateId = Long.parseLong(parts[0]) * 1_000_000L + Long.parseLong((parts[1] + "000000").substring(0, 6));
    byte[] payload = JSON.writeValueAsBytes(event);
    if (payload.length > MAX_UPDATE_BYTES) {
      return false;
    }
    return keep(channel, updateId, payload, "a Slack message arrived");
  }

  /**
   * Telegram's {@code getUpdates} for the agent's channel: acknowledges every update before {@code offset}, then
   * answers those from {@code offset} on, waiting up to {@code timeout} (capped) for one when none waits.
   */
  List<ChannelUpdateRepository.Update> take(ChannelRow channel, Long offset, int limit, Duration timeout)
      throws InterruptedException {
    TenantId tenantId = channel.tenantId();
    long from = offset == null ? Long.MIN_VALUE : offset;
    if (offset != null) {
      inTenant(tenantId, () -> updates.acknowledgeBefore(tenantId, channel.hookId(), offset, clock.instant()));
    }
    // wall time, not the (business) clock: how long a request is held open
    long deadline = System.nanoTime() + (timeout.compareTo(properties.longPollMax()) > 0
        ? properties.longPollMax() : timeout).toNanos();
    Arrival arrival = arrivals.computeIfAbsent(channel.hookId(), h -> new Arrival());
    while (true) {
      List<ChannelUpdateRepository.Update> waiting = inTenant(tenantId,
          () -> updates.waiting(tenantId, channel.hookId(), from, limit));
      long left = deadline - System.nanoTime();
      if (!waiting.isEmpty() && !takesUpdatesNow(channel)) {
        // Reef is stopping this agent (put to sleep, say) while its process still asks: what it took now would
        // end with it, taken but never answered. The agent's next start gets them; waking it is the sweep's work.
        Thread.sleep(Math.min(Math.max(left, 0) / 1_000_000, RECHECK.toMillis()));
        return List.of();
      }
      if (!waiting.isEmpty() || left <= 0) {
        if (!waiting.isEmpty()) {
          agents.wake(tenantId, channel.agentId(), "it takes channel updates"); // counts as activity
        }
        return waiting;
      }
      arrival.lock.lock();
      try {
        arrival.arrived.await(Math.min(left, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
      } finally {
        arrival.lock.unlock();
      }
    }
  }

  /** Whether the channel's agent is meant to run and is starting or running: not being stopped, nor stopped. */
  private boolean takesUpdatesNow(ChannelRow channel) {
    try {
      Agent agent = agents.get(channel.tenantId(), channel.agentId());
      return agent.desired() == DesiredState.RUNNING
          && (agent.state() instanceof AgentState.Running || agent.state() instanceof AgentState.Starting);
    } catch (RuntimeException gone) {
      return false;
    }
  }

  long waiting(ChannelRow channel) {
    return inTenant(channel.tenantId(), () -> updates.countWaiting(channel.tenantId(), channel.hookId()));
  }

  /**
   * Wakes agents that updates have waited for a while (the wake at arrival may have found the agent stopping, or
   * Reef stopped before it), and forgets delivered updates once they are old enough not to come again.
   */
  @Scheduled(initialDelayString = "${reef.channels.sweep-interval:5s}",
      fixedDelayString = "${reef.channels.sweep-interval:5s}")
  void sweep() {
    try {
      Instant now = clock.instant();
      for (ChannelRow channel : DataScope.callAsPlatform(
          () -> channels.withUpdatesWaitingSinceAcrossTenants(now.minus(properties.wakeAfter())))) {
        wake(channel, "channel updates are waiting for it");
      }
      DataScope.runAsPlatform(() -> updates.forgetDeliveredBeforeAcrossTenants(
          now.minus(properties.rememberDelivered())));
    } catch (RuntimeException e) {
      log.warn("channel sweep failed: {}", e.toString());
    }
  }

  private void wake(ChannelRow channel, String why) {
    try {
      agents.wake(channel.tenantId(), channel.agentId(), why);
    } catch (RuntimeException e) {
      log.warn("could not wake agent {} for its channel: {}", channel.agentId(), e.toString());
    }
  }

  private void signal(UUID hookId) {
    Arrival arrival = arrivals.get(hookId);
    if (arrival != null) {
      arrival.lock.lock();
      try {
        arrival.arrived.signalAll();
      } finally {
        arrival.lock.unlock();
      }
    }
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }
}
