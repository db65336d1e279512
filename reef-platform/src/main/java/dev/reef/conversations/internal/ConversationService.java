package dev.reef.conversations.internal;

import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.TenantId;
import dev.reef.common.UserId;
import dev.reef.conversations.Conversations;
import dev.reef.conversations.internal.ConversationRepository.ConversationRow;
import dev.reef.conversations.internal.ConversationRepository.MessageRow;
import dev.reef.metering.MeterLimits.Money;
import dev.reef.metering.UsageReports;
import dev.reef.orchestration.AgentAuditEvents;
import dev.reef.orchestration.Agents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps each exchange of a conversation: the person's message before it goes to the agent, the reply (or why there
 * was none) once it ends. The agent gets the conversation's own OpenClaw session ({@link #SESSION_PREFIX} and the
 * conversation's id), so it keeps the thread while Reef keeps the transcript.
 *
 * <p>A reply's cost is read from the usage ledger: the agent's model calls that started between the person's
 * message and the end of the reply. An agent busy with something else at the same time (a second conversation, a
 * heartbeat) adds its calls to the reply's figure; the usage page has the exact split by agent and model.
 */
@Service
class ConversationService implements Conversations {

  static final String SESSION_PREFIX = "reef-chat:";
  /** After this long every call of a reply has surely reached the ledger (it flushes each second). */
  static final Duration SETTLES_AFTER = Duration.ofMinutes(2);
  /** A reply longer than this is kept cut (the person saw it whole as it streamed). */
  static final int MAX_KEPT_REPLY = 500_000;
  private static final int TITLE_LENGTH = 60;
  private static final Logger log = LoggerFactory.getLogger(ConversationService.class);

  private final ConversationRepository conversations;
  private final Agents agents;
  private final UsageReports usage;
  private final TransactionTemplate tx;
  private final Clock clock;

  ConversationService(ConversationRepository conversations, Agents agents, UsageReports usage,
      TransactionTemplate tx, Clock clock) {
    this.conversations = conversations;
    this.agents = agents;
    this.usage = usage;
    this.tx = tx;
    this.clock = clock;
  }

  @Override
  public List<Conversation> list(TenantId tenantId, UUID agentId, UserId userId, int limit) {
    agents.get(tenantId, agentId); // another tenant's agent: 404
    return inTenant(tenantId, () -> {
      Map<UUID, Spend> spend = spendByConversation(tenantId, agentId, userId);
      return conversations.list(tenantId, agentId, userId, limit).stream()
          .map(row -> view(row, spend.getOrDefault(row.id(), Spend.NONE))).toList();
    });
  }

  @Override
  public Transcript open(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId) {
    agents.get(tenantId, agentId);
    return inTenant(tenantId, () -> {
      ConversationRow row = find(tenantId, agentId, userId, conversationId);
      Spend total = Spend.NONE;
      List<Message> messages = new ArrayList<>();
      for (MessageRow m : conversations.messages(tenantId, conversationId)) {
        Spend spend = m.role() == Role.USER ? null : spend(tenantId, agentId, m);
        total = spend == null ? total : total.plus(spend);
        messages.add(new Message(m.seq(), m.role(), m.content(), m.finishedAt(), spend));
      }
      return new Transcript(view(row, total), messages);
    });
  }

  @Override
  public Conversation start(TenantId tenantId, UUID agentId, UserId userId) {
    agents.get(tenantId, agentId);
    return inTenant(tenantId, () -> {
      List<ConversationRow> latest = conversations.list(tenantId, agentId, userId, 1);
      if (!latest.isEmpty() && latest.getFirst().messages() == 0) {
        return view(latest.getFirst(), Spend.NONE);
      }
      Instant now = clock.instant();
      ConversationRow row = new ConversationRow(UUID.randomUUID(), agentId, userId, "New conversation", now, now, 0);
      conversations.insert(tenantId, row);
      return view(row, Spend.NONE);
    });
  }

  @Override
  public Exchange say(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId, String message) {
    if (message == null || message.isBlank() || message.length() > MAX_MESSAGE) {
      throw new InvalidRequestException("message", "write a message of at most " + MAX_MESSAGE + " characters");
    }
    agents.get(tenantId, agentId);
    return inTenant(tenantId, () -> {
      Instant now = clock.instant();
      UUID id = conversationId;
      if (id == null) {
        id = UUID.randomUUID();
        conversations.insert(tenantId, new ConversationRow(id, agentId, userId, title(message), now, now, 0));
      } else {
        find(tenantId, agentId, userId, id);
        conversations.lock(tenantId, id);
      }
      int seq = conversations.nextSeq(tenantId, id);
      conversations.insertMessage(tenantId, new MessageRow(id, seq, Role.USER, message, now, now, null, null));
      conversations.used(tenantId, id, seq == 1 ? title(message) : null, now);
      return new Exchange(tenantId, agentId, userId, id, seq, message, now);
    });
  }

  @Override
  public void reply(Exchange exchange, Agents.ChatListener listener) {
    StringBuilder reply = new StringBuilder();
    try {
      agents.chat(exchange.tenantId(), exchange.agentId(), exchange.message(),
          SESSION_PREFIX + exchange.conversationId(), new Agents.ChatListener() {
            @Override
            public void waking(String state) {
              listener.waking(state);
            }

            @Override
            public void delta(String text) {
              if (reply.length() < MAX_KEPT_REPLY) {
                reply.append(text, 0, Math.min(text.length(), MAX_KEPT_REPLY - reply.length()));
              }
              listener.delta(text);
            }

            @Override
            public void done() {
              keep(exchange, reply, null);
              listener.done();
            }
          });
    } catch (ProblemException e) {
      keep(exchange, reply, e.detail());
      throw e;
    } catch (RuntimeException e) {
      keep(exchange, reply, "Reef could not finish this reply; try again.");
      throw e;
    }
  }

  @Override
  public void delete(TenantId tenantId, UUID agentId, UserId userId, UUID conversationId) {
    agents.get(tenantId, agentId);
    if (!inTenant(tenantId, () -> conversations.delete(tenantId, agentId, userId, conversationId))) {
      throw new NotFoundException("conversation", conversationId.toString());
    }
  }

  /** A deleted agent's conversations go with it, everyone's, in the transaction that deletes it. */
  @EventListener
  void on(AgentAuditEvents.AgentChanged changed) {
    if (changed.change().equals("deleted")) {
      int deleted = inTenant(changed.tenant(), () -> conversations.deleteAll(changed.tenant(), changed.agentId()));
      log.debug("Deleted {} conversations with deleted agent {}", deleted, changed.agentId());
    }
  }

  /** The reply and, when it failed, why: the cost goes with the exchange's last message. */
  private void keep(Exchange exchange, CharSequence reply, String error) {
    Instant now = clock.instant();
    try {
      inTenant(exchange.tenantId(), () -> {
        if (conversations.find(exchange.tenantId(), exchange.agentId(), exchange.userId(),
            exchange.conversationId()).isEmpty()) {
          return null; // deleted meanwhile
        }
        conversations.lock(exchange.tenantId(), exchange.conversationId());
        int seq = conversations.nextSeq(exchange.tenantId(), exchange.conversationId());
        if (!reply.isEmpty()) {
          boolean last = error == null;
          conversations.insertMessage(exchange.tenantId(), new MessageRow(exchange.conversationId(), seq++,
              Role.AGENT, reply.toString(), exchange.startedAt(), now, last ? null : 0L, last ? null : 0L));
        }
        if (error != null) {
          conversations.insertMessage(exchange.tenantId(), new MessageRow(exchange.conversationId(), seq,
              Role.ERROR, error, exchange.startedAt(), now, null, null));
        }
        conversations.used(exchange.tenantId(), exchange.conversationId(), null, now);
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("Could not keep the reply in conversation {}: {}", exchange.conversationId(), e.toString());
    }
  }

  /** Every conversation's spend: the settled part summed by the database, the rest read from the ledger. */
  private Map<UUID, Spend> spendByConversation(TenantId tenantId, UUID agentId, UserId userId) {
    Map<UUID, Spend> spend = new HashMap<>();
    for (MessageRow pending : conversations.unsettledReplies(tenantId, agentId, userId)) {
      spend.merge(pending.conversationId(), spend(tenantId, agentId, pending), Spend::plus);
    }
    for (MessageRow settled : conversations.settledTotals(tenantId, agentId, userId)) {
      spend.merge(settled.conversationId(), new Spend(settled.modelCalls(), Money.toUsd(settled.costMicros()),
          true), Spend::plus);
    }
    return spend;
  }

  /** A reply's spend: stored once settled, read from the ledger until then (and stored when it is). */
  private Spend spend(TenantId tenantId, UUID agentId, MessageRow reply) {
    if (reply.costMicros() != null) {
      return new Spend(reply.modelCalls(), Money.toUsd(reply.costMicros()), true);
    }
    UsageReports.Spend calls = usage.agentSpend(tenantId, agentId, reply.startedAt(), reply.finishedAt());
    boolean settled = clock.instant().isAfter(reply.finishedAt().plus(SETTLES_AFTER));
    if (settled) {
      conversations.settle(tenantId, reply.conversationId(), reply.seq(), calls.requests(), calls.costMicros());
    }
    return new Spend(calls.requests(), Money.toUsd(calls.costMicros()), settled);
  }

  private ConversationRow find(TenantId tenantId, UUID agentId, UserId userId, UUID id) {
    return conversations.find(tenantId, agentId, userId, id)
        .orElseThrow(() -> new NotFoundException("conversation", id.toString()));
  }

  private static Conversation view(ConversationRow row, Spend spend) {
    return new Conversation(row.id(), row.agentId(), row.title(), row.createdAt(), row.lastMessageAt(),
        row.messages(), spend);
  }

  /** The first line of the first message, whitespace folded, cut at a word near {@link #TITLE_LENGTH}. */
  static String title(String message) {
    String folded = message.strip().replaceAll("\\s+", " ");
    if (folded.length() <= TITLE_LENGTH) {
      return folded;
    }
    int cut = folded.lastIndexOf(' ', TITLE_LENGTH);
    return folded.substring(0, cut > TITLE_LENGTH / 2 ? cut : TITLE_LENGTH) + "…";
  }

  private <T> T inTenant(TenantId tenantId, Supplier<T> work) {
    return DataScope.callAs(tenantId, () -> tx.execute(s -> work.get()));
  }
}
