package dev.reef.conversations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.common.DataScope;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.Api;
import dev.reef.testing.DashboardClient;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Conversations in the dashboard, through its own endpoints as a browser calls them: each message starts or
 * continues a conversation that is kept (a reload opens it again), each conversation is its own agent session, its
 * replies' cost comes from the ledger, and nobody else sees it - not a colleague in the same tenant, not another
 * tenant; deleting it, or the agent, removes it.
 */
@Tag("database-matrix")
class ConversationsIT extends ReefIT {

  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static final Pattern DELTA = Pattern.compile("event:delta\\ndata:(.*)");
  private static final Pattern CONVERSATION = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

  @Autowired
  JdbcClient jdbc;

  @Autowired
  TransactionTemplate tx;

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void keptResumedAndSeparate_costed_privateToTheirPerson_goneWithTheAgent() {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("conv"));
    SignedUp owner = signUp("Conversation Owner");
    catalog.generousLimits(owner.tenantId());
    String agents = "/api/v1/tenants/" + owner.tenantId() + "/agents";
    String agentId = api.post(agents, owner.apiKey(), Api.body("name", "talker", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt)).at("/id");
    await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(api.get(agents + "/" + agentId,
        owner.apiKey()).at("/state")));
    String chat = "/t/" + owner.tenantId() + "/agents/" + agentId + "/chat";

    DashboardClient me = new DashboardClient(api.base());
    assertThat(me.login(owner.email(), owner.password()).statusCode()).isEqualTo(302);
    HttpResponse<String> empty = me.get(chat);
    assertThat(empty.statusCode()).as("no conversation yet: an empty page").isEqualTo(200);
    assertThat(empty.body()).contains("None yet");

    // The first message starts a conversation, which the agent gets as its own session.
    UPSTREAM.reply("Seven it is");
    HttpResponse<String> first = me.post(chat, Map.of("message", "Remember the number 7"));
    assertThat(first.body()).contains("event:conversation").contains("event:done");
    assertThat(replyIn(first.body())).isEqualTo("Seven it is");
    String a = conversationIn(first.body());
    assertThat(UPSTREAM.lastRequest().body().path("user").asString()).isEqualTo("reef-chat:" + a);

    // A reload opens it again, transcript and all; a message in it goes to the same session.
    assertThat(me.get(chat).headers().firstValue("Location").orElseThrow()).endsWith("/chat/" + a);
    assertThat(me.get(chat + "/" + a).body()).contains("Remember the number 7").contains("Seven it is");
    UPSTREAM.reply("You said seven");
    assertThat(replyIn(me.post(chat + "/" + a, Map.of("message", "Which number?")).body()))
        .isEqualTo("You said seven");
    assertThat(UPSTREAM.lastRequest().body().path("user").asString()).isEqualTo("reef-chat:" + a);

    // "New conversation" starts another session; asked twice, it reuses the empty one.
    me.get(chat + "/" + a);
    String b = location(me.post(chat + "/conversations", Map.of())).replaceAll(".*/chat/", "");
    assertThat(b).isNotEqualTo(a);
    me.get(chat + "/" + b);
    assertThat(location(me.post(chat + "/conversations", Map.of()))).endsWith("/chat/" + b);
    UPSTREAM.reply("Hello, B");
    me.get(chat + "/" + b);
    me.post(chat + "/" + b, Map.of("message", "A fresh start"));
    assertThat(UPSTREAM.lastRequest().body().path("user").asString()).isEqualTo("reef-chat:" + b);
    String listed = me.get(chat + "/" + b).body();
    assertThat(listed).contains("Remember the number 7").contains("A fresh start"); // both titles in the list
    assertThat(listed.indexOf("A fresh start")).as("the most recent first")
        .isLessThan(listed.indexOf("Remember the number 7"));

    // What the replies cost, from the ledger: conversation A's two replies made one model call each.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(me.get(chat + "/" + a).body())
        .contains("2 model calls"));

    // Bad input: a clear refusal in the stream, nothing kept; an unknown conversation is 404.
    me.get(chat + "/" + a);
    assertThat(me.post(chat + "/" + a, Map.of("message", " ")).body()).contains("event:error")
        .contains("Write a message");
    assertThat(me.get(chat + "/" + java.util.UUID.randomUUID()).statusCode()).isEqualTo(404);
    HttpResponse<String> nonsense = me.get(chat + "/not-a-uuid");
    assertThat(nonsense.statusCode()).as("a page that cannot exist").isEqualTo(404);
    assertThat(nonsense.body()).contains("<nav").doesNotContain("Exception");

    // A colleague in the same tenant, and another tenant, see none of it.
    Joined colleague = inviteAndJoin(owner.tenantId(), owner.apiKey(), "admin");
    DashboardClient them = new DashboardClient(api.base());
    them.login(colleague.email(), colleague.password());
    assertThat(them.get(chat + "/" + a).statusCode()).isEqualTo(404);
    HttpResponse<String> theirs = them.get(chat);
    assertThat(theirs.statusCode()).isEqualTo(200);
    assertThat(theirs.body()).doesNotContain("Remember the number 7").contains("None yet");
    assertThat(them.post(chat + "/" + a, Map.of("message", "let me in")).statusCode()).isEqualTo(404);
    SignedUp stranger = signUp("Conversation Stranger");
    DashboardClient outsider = new DashboardClient(api.base());
    outsider.login(stranger.email(), stranger.password());
    assertThat(outsider.get(chat + "/" + a).statusCode()).isEqualTo(404);
    assertThat(outsider.get(chat + "/" + a).body()).doesNotContain("Remember the number 7");

    // Deleting one conversation removes it; deleting the agent removes the rest.
    me.get(chat + "/" + b);
    assertThat(location(me.post(chat + "/" + b + "/delete", Map.of()))).endsWith("/chat");
    assertThat(me.get(chat + "/" + b).statusCode()).isEqualTo(404);
    assertThat(rows("conversations", agentId)).isEqualTo(1);
    api.delete(agents + "/" + agentId, owner.apiKey());
    await().atMost(Duration.ofSeconds(10)).until(() -> rows("conversations", agentId) == 0);
    assertThat(rows("conversation_messages", a)).isZero();
  }

  private long rows(String table, String id) {
    String column = table.equals("conversations") ? "agent_id" : "conversation_id";
    return DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql("select count(*) from " + table + " where "
        + column + " = :id").param("id", java.util.UUID.fromString(id)).query(Long.class).single()));
  }

  private static String conversationIn(String events) {
    Matcher m = CONVERSATION.matcher(events);
    assertThat(m.find()).as(events).isTrue();
    return m.group(1);
  }

  /** The reply's text: the stream's deltas put together. */
  private static String replyIn(String events) {
    StringBuilder text = new StringBuilder();
    Matcher m = DELTA.matcher(events);
    while (m.find()) {
      text.append(Api.JSON.readTree(m.group(1)).path("text").asString());
    }
    return text.toString();
  }

  private static String location(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
    return response.headers().firstValue("Location").orElseThrow();
  }
}
