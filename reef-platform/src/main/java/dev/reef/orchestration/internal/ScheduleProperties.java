package dev.reef.orchestration.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How Reef follows agents' own schedules ({@code REEF_SCHEDULE_*}).
 *
 * @param wakeLead how long before a scheduled run a sleeping agent is woken (a start takes this long or less)
 * @param keepAwakeWithin an agent whose next run is this close is not put to sleep by the idle timer
 * @param refresh how often a running agent is asked for its schedule (it is also asked right before it sleeps)
 * @param minWakeGap at most one scheduled wake per agent in this time, whatever the agent says it has scheduled
 * @param maxKeepAwake how long past its idle limit an agent may be kept awake for runs it says are coming
 * @param askTimeout how long asking an agent for its schedule may take
 */
@ConfigurationProperties("reef.schedules")
record ScheduleProperties(Duration wakeLead, Duration keepAwakeWithin, Duration refresh, Duration minWakeGap,
    Duration maxKeepAwake, Duration askTimeout) {

  ScheduleProperties {
    wakeLead = wakeLead == null ? Duration.ofMinutes(2) : wakeLead;
    keepAwakeWithin = keepAwakeWithin == null ? Duration.ofMinutes(5) : keepAwakeWithin;
    refresh = refresh == null ? Duration.ofMinutes(5) : refresh;
    minWakeGap = minWakeGap == null ? Duration.ofMinutes(5) : minWakeGap;
    maxKeepAwake = maxKeepAwake == null ? Duration.ofHours(1) : maxKeepAwake;
    askTimeout = askTimeout == null ? Duration.ofSeconds(10) : askTimeout;
  }
}
