package dev.reef.gateway.internal.proxy;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The {@code /v1/*} endpoints. A plain servlet rather than Spring MVC controllers: the proxy is the hot path, it
 * streams raw bytes, does its own authentication, and answers in the providers' error shapes rather than RFC 9457.
 */
final class GatewayServlet extends HttpServlet {

  private final GatewayProxy proxy;

  GatewayServlet(GatewayProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if ("/models".equals(request.getPathInfo())) {
      proxy.models(request, response);
    } else {
      notFound(request, response);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    ApiFlavor flavor = switch (path) {
      case "/chat/completions" -> ApiFlavor.CHAT_COMPLETIONS;
      case "/embeddings" -> ApiFlavor.EMBEDDINGS;
      case "/responses" -> ApiFlavor.RESPONSES;
      case "/messages" -> ApiFlavor.MESSAGES;
      default -> null;
    };
    if (flavor == null) {
      notFound(request, response);
      return;
    }
    proxy.handle(flavor, request, response);
  }

  private void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
    ApiFlavor shape = "/messages".equals(request.getPathInfo()) ? ApiFlavor.MESSAGES : ApiFlavor.CHAT_COMPLETIONS;
    proxy.writeError(shape, response, new GatewayException(404, "invalid_request_error", "unknown_endpoint",
        "Reef serves /v1/chat/completions, /v1/embeddings, /v1/responses, /v1/messages (POST) and /v1/models (GET)."));
  }
}
