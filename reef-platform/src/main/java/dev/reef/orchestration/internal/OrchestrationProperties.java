package dev.reef.orchestration.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Agent lifecycle settings ({@code REEF_AGENT_*}).
 *
 * @param defaultModel the model agents use unless their tenant picks another (empty: the first model the tenant's
 *     plan allows)
 * @param port the port agents listen on inside their placement; 0 (the default) lets the driver give each its own
 * @param startTimeout how long an agent may take from launch to ready
 * @param wakeTimeout how long a chat waits for a stopped agent to wake before giving up
 * @param stopGrace between asking an agent to stop and killing it
 * @param deleteGrace how long a deleted agent's files are kept before they are removed
 * @param maxCrashes crashes in a row before an agent is marked failed
 * @param backoffBase the first restart delay; it doubles with each crash up to {@code backoffMax}
 * @param reconcileInterval how often the reconciler looks at every agent
 * @param moveQuietPeriod how long a running agent must have had no chat and no model call before it is restarted
 *     on another runtime version (a rollout's or a rollback's move)
 * @param chatGiveUpAfterFailures a chat ends with the reason once the agent's model calls failed this many times
 *     (an agent retries on its own, for a minute or more, while the person sees nothing)
 * @param moveSettle after a moved agent is ready, how long it must stay up before its health probe; only then is it
 *     running (and its rollout batch healthy)
 * @param personaMaxBytes the largest persona file (SOUL.md, …) a tenant may set, in UTF-8 bytes
 */
@ConfigurationProperties("reef.agents")
record OrchestrationProperties(
    String defaultModel,
    int port,
    Duration startTimeout,
    Duration wakeTimeout,
    Duration stopGrace,
    Duration deleteGrace,
    int maxCrashes,
    Duration backoffBase,
    Duration backoffMax,
    Duration reconcileInterval,
    Duration moveQuietPeriod,
    Duration moveSettle,
    int chatGiveUpAfterFailures,
    int personaMaxBytes) {

  OrchestrationProperties {
    port = Math.max(0, port);
    startTimeout = startTimeout == null ? Duration.ofSeconds(120) : startTimeout;
    wakeTimeout = wakeTimeout == null ? Duration.ofSeconds(120) : wakeTimeout;
    stopGrace = stopGrace == null ? Duration.ofSeconds(10) : stopGrace;
    deleteGrace = deleteGrace == null ? Duration.ofMinutes(10) : deleteGrace;
    maxCrashes = maxCrashes <= 0 ? 5 : maxCrashes;
    backoffBase = backoffBase == null ? Duration.ofSeconds(1) : backoffBase;
    backoffMax = backoffMax == null ? Duration.ofMinutes(5) : backoffMax;
    reconcileInterval = reconcileInterval == null ? Duration.ofSeconds(2) : reconcileInterval;
    moveQuietPeriod = moveQuietPeriod == null ? Duration.ofSeconds(30) : moveQuietPeriod;
    moveSettle = moveSettle == null ? Duration.ofSeconds(5) : moveSettle;
    chatGiveUpAfterFailures = chatGiveUpAfterFailures <= 0 ? 2 : chatGiveUpAfterFailures;
    personaMaxBytes = personaMaxBytes <= 0 ? 65_536 : personaMaxBytes;
  }

  Duration backoff(int crashes) {
    long millis = backoffBase.toMillis() << Math.min(20, Math.max(0, crashes - 1));
    return Duration.ofMillis(Math.min(millis, backoffMax.toMillis()));
  }
}
