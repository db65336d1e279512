package dev.reef.gateway.internal.catalog;

import dev.reef.gateway.CatalogAdministration.ConnectionTest;
import dev.reef.gateway.ProviderType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The operator's "test connection": one cheap real call to a provider (its model list, which costs no tokens) with
 * the platform key, reported as reachable or not, how long it took and, when not, why in words. The provider's
 * answer body is never shown: an error body may echo the key.
 */
final class ProviderCheck {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private ProviderCheck() {}

  static ConnectionTest check(Provider provider, String apiKey) {
    String base = provider.baseUrl().endsWith("/") ? provider.baseUrl().substring(0, provider.baseUrl().length() - 1)
        : provider.baseUrl();
    URI uri = URI.create(provider.type() == ProviderType.ANTHROPIC ? base + "/v1/models" : base + "/models");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
    if (apiKey != null) {
      if (provider.type() == ProviderType.ANTHROPIC) {
        request.header("x-api-key", apiKey).header("anthropic-version", "2023-06-01");
      } else {
        request.header("Authorization", "Bearer " + apiKey);
      }
    }
    long started = System.nanoTime();
    try {
      HttpResponse<Void> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
      long millis = (System.nanoTime() - started) / 1_000_000;
      int status = response.statusCode();
      String verdict = switch (status / 100) {
        case 2 -> null;
        default -> switch (status) {
          case 401, 403 -> "the provider refused the API key (HTTP " + status + "): check the key";
          case 404 -> "the provider has no model list at " + uri.getPath() + " (HTTP 404): check the base URL";
          case 429 -> "the provider is rate-limiting this key (HTTP 429)";
          default -> "the provider answered HTTP " + status;
        };
      };
      return new ConnectionTest(verdict == null, millis, status, verdict == null ? "reachable; the key works"
          : verdict);
    } catch (HttpConnectTimeoutException e) {
      return failed(started, "no connection within " + TIMEOUT.toSeconds() + " s: check the base URL and the network");
    } catch (HttpTimeoutException e) {
      return failed(started, "connected, but no answer within " + TIMEOUT.toSeconds() + " s");
    } catch (ConnectException e) {
      return failed(started, "connection refused at " + uri.getHost() + ":" + port(uri) + ": nothing listens there");
    } catch (IOException e) {
      return failed(started, "could not reach " + uri.getHost() + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(started, "interrupted");
    } catch (IllegalArgumentException e) {
      return failed(started, "the base URL is not usable: " + e.getMessage());
    }
  }

  private static ConnectionTest failed(long started, String why) {
    return new ConnectionTest(false, (System.nanoTime() - started) / 1_000_000, 0, why);
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }
}
