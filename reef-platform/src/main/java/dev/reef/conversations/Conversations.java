package dev.reef.conversations;

import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.orchestration.Agents;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One person's conversations with one agent. Every method takes the tenant first; a conversation of another agent,
 * person or tenant is not found. Callers check access (the guard) before calling.
 */
public interface Conversations {

  /** The person's conversations with the agent, the most recently used first (at most {@code limit}). */
  List<Conversation> list(TenantId tenantId, UUID agentId, UserId userId, int limit);

  /** A conversation and everything said in it, oldest first. */
  Transcript open(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId);

  /** A new, empty conversation; the person's latest one when that one is still empty (no pile of empty ones). */
  Conversation start(TenantId tenantId, UUID agentId, UserId userId);

  /**
   * Keeps the person's message, in the given conversation or (when {@code conversationId} is null) in a new one,
   * and returns the exchange {@link #reply} then completes. Refuses a blank or too long message.
   */
  Exchange say(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId, String message);

  /**
   * Sends the exchange's message to the agent (waking it if it sleeps), streams the reply to the listener and keeps
   * it - also when the listener's person has gone away, and what came before a failure.
   *
   * @throws dev.reef.common.ProblemException when the agent could not answer (also kept, as the reply)
   */
  void reply(Exchange exchange, Agents.ChatListener listener);

  void delete(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId);

  /** The longest message a person may send. */
  int MAX_MESSAGE = 100_000;

  /**
   * @param messages how many messages it holds (0: new)
   * @param spend what the agent's model calls for its replies cost so far
   */
  record Conversation(UUID id, UUID agentId, String title, Instant createdAt, Instant lastMessageAt, int messages,
      Spend spend) {}

  record Transcript(Conversation conversation, List<Message> messages) {}

  /**
   * @param spend for a reply, what the agent's model calls while it answered cost; null for the person's messages
   */
  record Message(int seq, Role role, String text, Instant at, Spend spend) {}

  enum Role {
    /** The person's message. */
    USER,
    /** The agent's reply (possibly cut short by an error, which follows it). */
    AGENT,
    /** Why there is no (complete) reply, in a sentence meant for the person. */
    ERROR
  }

  /**
   * @param settled false while the usage ledger may still be catching up with the reply's calls
   */
  record Spend(long modelCalls, BigDecimal costUsd, boolean settled) {

    public static final Spend NONE = new Spend(0, BigDecimal.ZERO, true);

    public Spend plus(Spend other) {
      return new Spend(modelCalls + other.modelCalls, costUsd.add(other.costUsd), settled && other.settled);
    }
  }

  /** A message kept and waiting for its reply. */
  record Exchange(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId, int seq, String message,
      Instant startedAt) {}
}
