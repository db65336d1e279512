package dev.reef.orchestration;

import java.time.Instant;

/** One state change of an agent, with its reason. */
public record AgentEvent(long seq, Instant at, String state, String reason) {}
