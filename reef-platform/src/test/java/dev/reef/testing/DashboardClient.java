package dev.reef.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like HTTP client for the dashboard: keeps its session cookie, does not follow redirects (so tests see
 * them), and sends the CSRF token that the last page it fetched carried, as a real form would.
 */
public final class DashboardClient {

  private static final Pattern FORM_TOKEN = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  private static final Pattern META_TOKEN = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");

  private final String base;
  private final CookieManager cookies = new CookieManager();
  private final HttpClient http;
  private String csrf;

  public DashboardClient(String base) {
    this(base, null);
  }

  /** A client whose connections come from {@code localAddress} (say 127.0.0.2: another client, to Reef). */
  public DashboardClient(String base, java.net.InetAddress localAddress) {
    this.base = base;
    HttpClient.Builder builder = HttpClient.newBuilder().cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (localAddress != null) {
      builder.localAddress(localAddress);
    }
    this.http = builder.build();
  }

  public HttpResponse<String> get(String path) {
    // as a browser asks: a page, HTML first
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").GET());
    remember(response.body());
    return response;
  }

  /**
   * Calls the REST API with this client's session (no API key), as the dashboard's scripts would: with the CSRF
   * token of the last page fetched in the {@code X-CSRF-TOKEN} header when {@code withCsrf}.
   */
  public HttpResponse<String> api(String method, String path, String json, boolean withCsrf) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept",
        "application/json").method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (withCsrf && csrf != null) {
      request.header("X-CSRF-TOKEN", csrf);
    }
    return send(request);
  }

  /** Posts a form with the CSRF token of the last page fetched (fetch one first). */
  public HttpResponse<String> post(String path, Map<String, String> form) {
    Map<String, String> fields = new LinkedHashMap<>(form);
    if (csrf != null) {
      fields.put("_csrf", csrf);
    }
    return postRaw(path, fields);
  }

  /** Posts exactly these fields: no CSRF token unless given. */
  public HttpResponse<String> postRaw(String path, Map<String, String> fields) {
    String body = fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    remember(response.body());
    return response;
  }

  /**
   * Logs in through the login form; returns the form's answer (a redirect). Logging in replaces the CSRF token, so
   * on success the new one is fetched, as a browser gets it with the next page.
   */
  public HttpResponse<String> login(String email, String password) {
    get("/login");
    HttpResponse<String> response = post("/login", Map.of("email", email, "password", password));
    if (response.headers().firstValue("Location").filter(l -> !l.contains("/login")).isPresent()) {
      get("/login");
    }
    return response;
  }

  public String csrfToken() {
    return csrf;
  }

  public String sessionId() {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("JSESSIONID"))
        .map(HttpCookie::getValue).findFirst().orElse(null);
  }

  private void remember(String page) {
    if (page == null) {
      return;
    }
    Matcher m = FORM_TOKEN.matcher(page);
    Matcher meta = META_TOKEN.matcher(page);
    if (m.find()) {
      csrf = m.group(1);
    } else if (meta.find()) {
      csrf = meta.group(1);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
