package dev.reef.channels.internal;

import dev.reef.orchestration.AgentChannel;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Slack's Web API as Reef serves it to agents ({@code <LLM proxy base>/slack/api/<method>}, where OpenClaw's Slack
 * plugin is pointed by {@code SLACK_API_URL}). The agent holds stand-in tokens ({@code xoxb-reef-<its agent token>},
 * {@code xapp-reef-<its agent token>}); each call is forwarded to Slack with the channel's real bot or app-level
 * token, and Slack's answer comes back as it was. So the real tokens never enter the agent, and a token it leaks is
 * worth nothing outside it.
 *
 * <p>{@code apps.connections.*} is refused: Slack's Socket Mode connection is Reef's to hold ({@link SlackIngress}),
 * and one the agent opened would take events away from it.
 */
final class SlackRelayServlet extends HttpServlet {

  private static final Pattern METHOD = Pattern.compile("/([A-Za-z][A-Za-z0-9_.]{0,99})");
  private static final int MAX_BODY_BYTES = 16 << 20;

  private final RelayCallers callers;
  private final ChatAppApis slack;

  SlackRelayServlet(RelayCallers callers, ChatAppApis slack) {
    this.callers = callers;
    this.slack = slack;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    var method = METHOD.matcher(path);
    if (!method.matches()) {
      error(response, 404, "unknown_method");
      return;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      error(response, 413, "request_too_large");
      return;
    }
    String header = request.getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
        : "";
    boolean app = token.startsWith(AgentChannel.Slack.APP_STAND_IN);
    String agentToken = app ? token.substring(AgentChannel.Slack.APP_STAND_IN.length())
        : token.startsWith(AgentChannel.Slack.BOT_STAND_IN) ? token.substring(AgentChannel.Slack.BOT_STAND_IN
        .length()) : "";
    Optional<ChannelRow> channel = callers.channel(agentToken, request.getRemoteAddr(), ChannelType.SLACK);
    if (channel.isEmpty()) {
      error(response, 200, "invalid_auth"); // as Slack says it: 200 with ok=false
      return;
    }
    Map<String, String> tokens = callers.credentials(channel.get());
    if (method.group(1).startsWith("apps.connections.")) {
      // Slack's connection is Reef's to hold (SlackIngress): one the agent opened would take events from it
      error(response, 200, "not_allowed_token_type");
      return;
    }
    String real = tokens.get(app ? "appToken" : "botToken");
    try {
      HttpResponse<byte[]> answer = slack.forwardSlack(method.group(1), real, request.getContentType(), body,
          request.getQueryString());
      byte[] out = answer.body();
      response.setStatus(answer.statusCode());
      answer.headers().firstValue("content-type").ifPresent(response::setContentType);
      answer.headers().firstValue("retry-after").ifPresent(v -> response.setHeader("Retry-After", v));
      response.setContentLength(out.length);
      response.getOutputStream().write(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(response, 503, "service_unavailable");
    } catch (IOException e) {
      if (response.isCommitted()) {
        throw e;
      }
      error(response, 502, "slack_unreachable");
    }
  }

  /** An error as Slack words them ({@code ok: false} and a code), so the agent's Slack client understands it. */
  private static void error(HttpServletResponse response, int status, String code) throws IOException {
    byte[] bytes = ("{\"ok\":false,\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
