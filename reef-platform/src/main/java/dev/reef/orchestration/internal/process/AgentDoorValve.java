package dev.reef.orchestration.internal.process;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Lets requests that came through the agents' LLM door (Tomcat's Unix-socket connector) reach the LLM proxy
 * ({@code /v1/...}) and nothing else: the door exists for model calls, and an agent has no business with the
 * dashboard, the API or the actuator. Everything else there is 404, as for a path that does not exist.
 */
final class AgentDoorValve extends ValveBase {

  /** The connector property that only the agents' door has: Reef's TCP connectors listen on no Unix socket. */
  static final String UNIX_SOCKET = "unixDomainSocketPath";

  private static final byte[] NOT_FOUND = """
      {"type":"urn:reef:problem:not-found","title":"Not found","status":404,\
      "detail":"Only the LLM proxy (/v1/...) is served to agents."}""".getBytes(StandardCharsets.UTF_8);

  AgentDoorValve() {
    super(true);
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    if (request.getConnector().getProperty(UNIX_SOCKET) == null || request.getDecodedRequestURI().startsWith("/v1/")) {
      getNext().invoke(request, response);
      return;
    }
    response.setStatus(404);
    response.setContentType("application/problem+json");
    response.setContentLength(NOT_FOUND.length);
    response.getOutputStream().write(NOT_FOUND);
  }
}
