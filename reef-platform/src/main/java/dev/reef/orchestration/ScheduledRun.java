package dev.reef.orchestration;

import java.time.Instant;

/**
 * A run an agent has scheduled for itself, as its runtime reports it (OpenClaw: its automations, "cron jobs").
 *
 * @param name what the job is called
 * @param at when it is next due
 * @param kind what kind of run it is: only {@link Kind#JOB}s and {@link Kind#HEARTBEAT}s wake a sleeping agent
 */
public record ScheduledRun(String name, Instant at, Kind kind) {

  public enum Kind {
    /** A job a person (or the agent, asked by one) made. */
    JOB,
    /** The agent's heartbeat, which the tenant turned on in its settings. */
    HEARTBEAT,
    /** The runtime's own upkeep (OpenClaw's memory dreaming, skill review): runs when the agent is up anyway. */
    SYSTEM
  }

  public boolean wakesAgent() {
    return kind != Kind.SYSTEM;
  }
}
