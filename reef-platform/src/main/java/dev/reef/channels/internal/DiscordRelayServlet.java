package dev.reef.channels.internal;

import dev.reef.orchestration.AgentChannel;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Discord's REST API as Reef serves it to agents ({@code <LLM proxy base>/discord/api/v10/…}, where OpenClaw's
 * Discord plugin is pointed by {@code DISCORD_API_URL}). The agent holds a stand-in token
 * ({@link AgentChannel.Discord#standInToken}); each call is forwarded to Discord with the bot's real token, and
 * Discord's answer (with its rate-limit headers, which the plugin's client schedules by) comes back as it was.
 *
 * <p>{@code gateway/bot} is answered with Discord's own answer but Reef's gateway ({@link DiscordGatewayRelay}) as
 * its {@code url}: the plugin connects only where its API base points, and the IDENTIFY it sends must get the real
 * token on the way.
 */
final class DiscordRelayServlet extends HttpServlet {

  static final String PATH = "/v1/discord/api";
  private static final String VERSION = "/v10";
  private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9@._~%!$&'()*+,;=:-]+)+");
  private static final int MAX_BODY_BYTES = 25 << 20; // Discord's own upload limit for a bot
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final RelayCallers callers;
  private final ChatAppApis discord;
  private final DiscordGatewayRelay gateway;

  DiscordRelayServlet(RelayCallers callers, ChatAppApis discord, DiscordGatewayRelay gateway) {
    this.callers = callers;
    this.discord = discord;
    this.gateway = gateway;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // the raw path, as the agent encoded it (an emoji in a reaction's path stays encoded for Discord)
    String raw = request.getRequestURI().substring(request.getContextPath().length());
    String path = raw.startsWith(PATH + VERSION + "/") ? raw.substring((PATH + VERSION).length()) : "";
    if (!SAFE_PATH.matcher(path).matches() || path.contains("..")
        || path.toLowerCase(Locale.ROOT).contains("%2e") || path.toLowerCase(Locale.ROOT).contains("%2f")) {
      error(response, 404, "404: Not Found");
      return;
    }
    byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      error(response, 413, "Request entity too large");
      return;
    }
    String header = request.getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bot ", 0, 4) ? header.substring(4).strip() : "";
    Optional<ChannelRow> channel = callers.channel(AgentChannel.Discord.agentTokenOf(token),
        request.getRemoteAddr(), ChannelType.DISCORD);
    if (channel.isEmpty()) {
      error(response, 401, "401: Unauthorized");
      return;
    }
    String real = callers.credentials(channel.get()).get("token");
    String query = request.getQueryString();
    try {
      HttpResponse<byte[]> answer = discord.forwardDiscord(request.getMethod(), path + (query == null
          || query.isEmpty() ? "" : "?" + query), real, request.getContentType(),
          request.getHeader("X-Audit-Log-Reason"), body);
      byte[] out = answer.body();
      if (answer.statusCode() == 200 && (path.equals("/gateway/bot") || path.equals("/gateway"))) {
        out = withReefsGateway(out, request);
      }
      response.setStatus(answer.statusCode());
      answer.headers().map().forEach((name, values) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("retry-after") || lower.startsWith("x-ratelimit-")) {
          values.forEach(value -> response.addHeader(name, value));
        }
      });
      response.setContentLength(out.length);
      response.getOutputStream().write(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(response, 503, "Service unavailable");
    } catch (IOException e) {
      if (response.isCommitted()) {
        throw e;
      }
      error(response, 502, "Discord could not be reached");
    }
  }

  /** Discord's gateway answer with Reef's gateway as the address; Discord's is kept for the relay to dial. */
  private byte[] withReefsGateway(byte[] answer, HttpServletRequest request) {
    ObjectNode gatewayInfo;
    try {
      gatewayInfo = (ObjectNode) JSON.readTree(answer);
    } catch (RuntimeException e) {
      return answer;
    }
    String upstream = gatewayInfo.path("url").asString("");
    if (upstream.startsWith("wss://") || upstream.startsWith("ws://")) {
      gateway.discordSaid(URI.create(upstream));
    }
    gatewayInfo.put("url", DiscordGatewayRelay.relayUrl(request.getHeader("Host")));
    return JSON.writeValueAsBytes(gatewayInfo);
  }

  /** An error as Discord words them ({@code message} and {@code code}), so the agent's Discord client reads it. */
  private static void error(HttpServletResponse response, int status, String message) throws IOException {
    byte[] bytes = ("{\"message\":\"" + message + "\",\"code\":0}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
