package dev.reef.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.testing.Api;
import dev.reef.testing.FakeRuntime;
import dev.reef.testing.FakeTelegram;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.RequiredService;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The dashboard in a real headless Chromium, as a person uses it: sign up, deploy an agent and watch it come up,
 * chat with it and see the reply stream in, see the usage, create and revoke an API key; then the operator
 * suspends the tenant and its user sees that. Screenshots of each page go to {@code target/screenshots}, and to
 * {@code docs/screenshots} when {@code REEF_SCREENSHOTS=docs} (how the README's pictures are made).
 */
class DashboardBrowserIT extends ReefIT {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern TENANT_URL = Pattern.compile("/t/([0-9a-f-]{36})");
  private static final MockUpstream UPSTREAM = new MockUpstream();
  private static GatewayFixture catalog;

  @Autowired
  FakeRuntime runtime;

  @Autowired
  dev.reef.testing.TestClock clock;

  private WebDriver browser;
  private Path profile;

  @BeforeAll
  static void chromiumIsInstalled() {
    RequiredService.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER) ? null
        : "Chromium and its driver are not installed (" + CHROMIUM + ", " + CHROMEDRIVER + ")",
        "Install them with: apt-get install chromium chromium-driver");
  }

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @BeforeEach
  void startBrowser() throws IOException {
    if (catalog == null) {
      catalog = new GatewayFixture(api, UPSTREAM, unique("browser"));
    }
    profile = Files.createTempDirectory("reef-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @AfterEach
  void stopBrowser() throws IOException {
    runtime.reset();
    UPSTREAM.reset();
    if (browser != null) {
      browser.quit();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void signUp_deploy_chat_usage_apiKey_thenSuspendedByTheOperator() throws Exception {
    String tenantName = "Browser " + UUID.randomUUID().toString().substring(0, 6);
    String email = unique("browser") + "@example.test";
    String password = "correct-horse-" + UUID.randomUUID();

    // Sign up: the new owner is logged in and lands on the empty tenant, with the deploy form.
    open("/signup");
    type("tenantName", tenantName);
    type("email", email);
    type("password", password);
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
    waitFor(() -> TENANT_URL.matcher(browser.getCurrentUrl()).find());
    Matcher m = TENANT_URL.matcher(browser.getCurrentUrl());
    assertThat(m.find()).isTrue();
    String tenantId = m.group(1);
    assertThat(text("h1")).contains("Welcome");
    catalog.generousLimits(tenantId);

    // Deploy, with a slow install and start so the progress can be seen.
    runtime.installDelay(Duration.ofSeconds(3), List.of("fetching the fake runtime", "unpacking", "verifying"))
        .startupDelay(Duration.ofSeconds(2));
    UPSTREAM.reply("Hello from your agent, streamed word by word").chunkDelay(Duration.ofMillis(120));
    new Select(browser.findElement(By.id("agent-model"))).selectByValue(catalog.gpt);
    new Select(browser.findElement(By.id("agent-runtime"))).selectByValue(FakeRuntime.NAME);
    browser.findElement(By.id("deploy-button")).click();
    waitFor(() -> !browser.findElements(By.cssSelector("ol.steps li.current")).isEmpty());
    screenshot("deploy-progress");
    waitFor(() -> text(".agent-status .badge").equals("Running"));
    assertThat(text(".agent-status")).contains("Ready");
    // the facts and the history follow without a reload, and the model shown is the one it uses
    waitFor(() -> !text("[data-fact=started]").equals("—") && text("#agent-history").contains("running"));
    assertThat(text(".facts")).contains(catalog.gpt);
    String agentUrl = browser.getCurrentUrl();

    open("/t/" + tenantId);
    waitFor(() -> text(".agent-card .badge").equals("Running"));
    screenshot("home");

    // Chat: the reply streams in.
    browser.findElement(By.linkText("Chat")).click();
    WebElement message = browser.findElement(By.id("chat-message"));
    message.sendKeys("Hello, agent!");
    message.sendKeys(Keys.ENTER);
    waitFor(() -> browser.findElements(By.cssSelector(".message.agent")).size() == 1);
    waitFor(() -> {
      String partial = text(".message.agent");
      return !partial.isEmpty() && !partial.equals("Hello from your agent, streamed word by word");
    });
    waitFor(() -> text(".message.agent").equals("Hello from your agent, streamed word by word")
        && browser.findElements(By.cssSelector(".message.agent.streaming")).isEmpty());
    assertThat(browser.findElements(By.cssSelector(".message.error"))).isEmpty();
    // The conversation is kept: a reload shows it, listed with what its reply cost; "New conversation" starts another.
    waitFor(() -> browser.getCurrentUrl().matches(".*/chat/[0-9a-f-]{36}$"));
    waitFor(() -> {
      browser.navigate().refresh();
      return text(".conversation-list").contains("1 model call");
    });
    assertThat(text(".message.user")).isEqualTo("Hello, agent!");
    assertThat(text(".message.agent")).isEqualTo("Hello from your agent, streamed word by word");
    assertThat(text(".conversation-list [aria-current=page]")).contains("Hello, agent!");
    screenshot("chat");
    String firstConversation = browser.getCurrentUrl();
    browser.findElement(By.id("new-conversation")).click();
    waitFor(() -> !browser.getCurrentUrl().equals(firstConversation));
    assertThat(browser.findElements(By.cssSelector(".message.user"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector(".conversation-list li"))).hasSize(2);
    assertThat(text(".conversation-list [aria-current=page]")).contains("New conversation");

    // Usage: the call is in the ledger within a second or so; near a cap, a warning shows.
    api.put("/api/v1/tenants/" + tenantId + "/limits", MASTER_KEY, Map.of("requestsPerMinute", 100000,
        "tokensPerMinute", 100000000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000,
        "monthlyTokens", 20));
    waitFor(() -> {
      open("/t/" + tenantId + "/usage");
      return !browser.findElements(By.cssSelector(".chart svg rect")).isEmpty();
    });
    assertThat(text(".caps")).contains("Monthly tokens").contains("of 20");
    assertThat(text("main")).contains("You have used 90 % of your monthly tokens");
    screenshot("usage");

    // API keys: sign-up in the browser made none; a key with no scope is refused, then one is created (shown once)
    // and revoked.
    assertThat(api.get("/api/v1/tenants/" + tenantId + "/api-keys", MASTER_KEY).json().path("items").size())
        .as("the dashboard's sign-up creates no API key").isZero();
    open("/t/" + tenantId + "/settings/api-keys");
    type("key-name", "browser-key");
    for (WebElement scope : browser.findElements(By.cssSelector("input[name=scopes]"))) {
      if (scope.isSelected()) {
        scope.click();
      }
    }
    browser.findElement(By.cssSelector("form[action$='/settings/api-keys'] button[type=submit]")).click();
    waitFor(() -> text("main").contains("Choose at least one scope"));
    assertThat(browser.findElement(By.id("key-name")).getDomProperty("value")).as("what was typed is kept")
        .isEqualTo("browser-key");
    assertThat(api.get("/api/v1/tenants/" + tenantId + "/api-keys", MASTER_KEY).json().path("items").size()).isZero();
    browser.findElement(By.cssSelector("form[action$='/settings/api-keys'] button[type=submit]")).click();
    // the page with the new key may still be on its way when click() returns
    waitFor(() -> !browser.findElements(By.cssSelector("[data-created-key]")).isEmpty());
    String key = browser.findElement(By.cssSelector("[data-created-key]")).getDomAttribute("value");
    assertThat(key).startsWith("reef_sk_");
    assertThat(api.get("/api/v1/tenants/" + tenantId, key).status()).isEqualTo(200);
    screenshot("settings");
    browser.findElement(By.cssSelector("button[aria-label='Revoke key browser-key']")).click();
    waitFor(() -> text("main").contains("The key was revoked"));
    assertThat(api.get("/api/v1/tenants/" + tenantId, key).status()).isEqualTo(401);
    // Invite a colleague: the link is shown once; the invitee opens it logged out, chooses a password, and is in.
    open("/t/" + tenantId + "/settings/members");
    String colleague = unique("colleague") + "@example.test";
    type("member-email", colleague);
    new Select(browser.findElement(By.id("member-role"))).selectByValue("admin");
    browser.findElement(By.cssSelector("form[action$='/settings/members'] button[type=submit]")).click();
    waitFor(() -> !browser.findElements(By.cssSelector("[data-invite-link]")).isEmpty());
    String link = browser.findElement(By.cssSelector("[data-invite-link]")).getDomAttribute("value");
    assertThat(link).contains("/invitation?token=reef_inv_");
    assertThat(text("main")).contains("Pending invitations").contains(colleague);
    screenshot("members");
    logOut();
    browser.get(link);
    waitFor(() -> text("main").contains("You are invited to join"));
    assertThat(text("main")).contains(tenantName).contains("admin").contains(colleague);
    screenshot("invitation");
    type("invite-password", "colleague-password-" + UUID.randomUUID());
    browser.findElement(By.cssSelector("form[action$='/invitation/accept'] button[type=submit]")).click();
    waitFor(() -> browser.getCurrentUrl().contains("/t/" + tenantId));
    assertThat(text("header")).contains(colleague);
    open("/t/" + tenantId + "/settings/members");
    assertThat(text("table")).contains(colleague).contains("admin");
    logOut();
    logIn(email, password);

    // The operator suspends the tenant...
    logOut();
    logIn("operator@reef.test", "operator-password-1");
    open("/operator/tenants?q=" + tenantName.replace(' ', '+'));
    waitFor(() -> text("table").contains(tenantName));
    screenshot("operator-tenants");
    // suspending is asked for twice: the list's button opens a page that says what it does
    browser.findElement(By.cssSelector("a[aria-label='Suspend " + tenantName + "']")).click();
    waitFor(() -> text("h1").equals("Suspend " + tenantName + "?"));
    assertThat(text("main")).contains("stopped now").contains("Nothing is deleted");
    screenshot("suspend-confirm");
    type("suspend-reason", "unpaid invoice");
    browser.findElement(By.cssSelector("button[aria-label='Suspend " + tenantName + " now']")).click();
    waitFor(() -> text("main").contains("Suspended the tenant"));
    assertThat(text("table")).contains("suspended").contains("unpaid invoice");
    open("/operator/health");
    assertThat(text("main")).contains("Components").contains("db");
    assertThat(text("[data-provider='" + catalog.openAiProvider + "']")).as("the chat's model calls, last hour")
        .contains(catalog.openAiProvider).contains("ms").contains("closed");
    assertThat(text("main")).contains("ledger").contains("waitingRecords").contains("roundTripMillis");
    assertThat(text("[data-agents-by-state]")).as("agents by state").matches("[a-z]+ \\d+( · [a-z]+ \\d+)*");
    screenshot("health");
    open("/operator/catalog");
    assertThat(text("[data-timeouts]")).as("the provider timeouts the operator runs with")
        .contains("connect within 5 s").contains("silent 120 s").contains("10 min").contains("never after a timeout");
    screenshot("catalog");
    browser.findElement(By.cssSelector("button[aria-label='Test provider " + catalog.openAiProvider + "']")).click();
    waitFor(() -> text(".alert.info").contains("Provider " + catalog.openAiProvider + ": reachable; the key works"));
    // a rejected form says what is wrong in the page's words, and keeps what was typed
    browser.findElements(By.cssSelector("details summary")).stream()
        .filter(e -> e.getText().equals("Add or replace a model")).findFirst().orElseThrow().click();
    type("m-id", "typo-model");
    type("m-up", "gpt-typo");
    type("m-in", "-1");
    type("m-out", "2");
    browser.findElement(By.cssSelector("form[action$='/operator/catalog/models'] button")).click();
    waitFor(() -> text(".alert.error").startsWith("Input USD / million tokens:"));
    assertThat(browser.findElement(By.id("m-id")).getDomProperty("value")).isEqualTo("typo-model");
    assertThat(browser.findElement(By.id("m-up")).getDomProperty("value")).isEqualTo("gpt-typo");
    assertThat(browser.findElement(By.id("m-in")).isDisplayed()).as("the form is open again").isTrue();

    // ...and its user sees that it is suspended.
    logOut();
    logIn(email, password);
    open("/t/" + tenantId);
    assertThat(text("h1")).isEqualTo("This tenant is suspended");
    screenshot("suspended");

    api.delete("/api/v1/tenants/" + tenantId + "/agents/" + agentUrl.substring(agentUrl.lastIndexOf('/') + 1),
        MASTER_KEY);
  }

  @Test
  void operator_installsARuntimeVersion_rollsItOut_andWatchesTheProgress() throws Exception {
    SignedUp tenant = signUp("Rollout Browser");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String agentId = api.post(agents, tenant.apiKey(), Api.body("name", "moved", "runtime", FakeRuntime.NAME))
        .at("/id");
    try {
      waitFor(() -> "running".equals(api.get(agents + "/" + agentId, tenant.apiKey()).at("/state")));
      String version = "1.0." + (100 + new java.util.Random().nextInt(800));
      logIn("operator@reef.test", "operator-password-1");
      open("/operator/runtimes");
      browser.findElement(By.cssSelector("#runtime-fake ~ details summary")).click();
      type("install-fake", version);
      browser.findElement(By.cssSelector("form[action$='/operator/runtimes/installs'] button")).click();
      waitFor(() -> text("main").contains("Installing fake " + version));
      waitFor(() -> text("tr[data-version='" + version + "']").contains("installed"));

      browser.findElements(By.cssSelector("details summary")).stream()
          .filter(e -> e.getText().equals("Roll out a version of fake")).findFirst().orElseThrow().click();
      new Select(browser.findElement(By.id("target-fake"))).selectByValue(version);
      type("tenants-fake", tenant.tenantId());
      type("pause-fake", "0");
      browser.findElement(By.cssSelector("form[action$='/operator/runtimes/rollouts'] button")).click();
      waitFor(() -> text("main").contains("Rolling out fake " + version));
      waitFor(() -> text("tbody tr[data-rollout]").contains("completed"));
      assertThat(text("tbody tr[data-rollout]")).contains("1 of 1 moved").contains("moved 1 agent to " + version);
      screenshot("runtimes");
      browser.findElement(By.linkText("fake " + version)).click();
      waitFor(() -> text("h1").contains("Rollout of fake " + version));
      assertThat(text("table")).contains(agentId).contains("healthy");
      screenshot("rollout");
      assertThat(api.get(agents + "/" + agentId, tenant.apiKey()).at("/runtimeVersion")).isEqualTo(version);
    } finally {
      api.delete(agents + "/" + agentId, tenant.apiKey());
    }
  }

  @Test
  void operator_createsAnOperatorApiKey_shownOnce_usesIt_andRevokesIt() throws Exception {
    logIn("operator@reef.test", "operator-password-1");
    open("/operator/api-keys");
    String name = "provisioning-" + UUID.randomUUID().toString().substring(0, 6);
    type("key-name", name);
    browser.findElement(By.cssSelector("form[action$='/operator/api-keys'] button[type=submit]")).click();
    waitFor(() -> !browser.findElements(By.cssSelector("[data-created-key]")).isEmpty());
    String key = browser.findElement(By.cssSelector("[data-created-key]")).getDomAttribute("value");
    assertThat(key).startsWith("reef_op_");
    assertThat(api.get("/api/v1/plans", key).status()).as("the new key works on the operator API").isEqualTo(200);
    screenshot("operator-keys");
    open("/operator/api-keys");
    assertThat(browser.findElements(By.cssSelector("[data-created-key]"))).as("shown only once").isEmpty();
    browser.findElement(By.cssSelector("button[aria-label='Revoke key " + name + "']")).click();
    waitFor(() -> text("main").contains("The key was revoked"));
    assertThat(api.get("/api/v1/plans", key).status()).isEqualTo(401);
  }

  @Test
  void chatWithASleepingAgent_wakesIt_thenTheNoteIsGone_andTheWakeComesBeforeTheReply() throws Exception {
    SignedUp tenant = signUp("Sleeping Chat");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String agentId = api.post(agents, tenant.apiKey(), Api.body("name", "sleeper", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt, "start", false)).at("/id");
    try {
      UPSTREAM.reply("Good morning");
      logIn(tenant.email(), tenant.password());
      open("/t/" + tenant.tenantId() + "/agents/" + agentId + "/chat");
      assertThat(text(".message.system")).contains("not running");
      WebElement message = browser.findElement(By.id("chat-message"));
      message.sendKeys("Wake up");
      message.sendKeys(Keys.ENTER);
      waitFor(() -> text(".message.agent").equals("Good morning"));
      waitFor(() -> browser.findElements(By.cssSelector("[data-chat-log] li")).stream()
          .map(e -> e.getDomAttribute("class")).toList()
          .equals(List.of("message user", "message waking", "message agent")));
      assertThat(text(".message.waking")).isEqualTo("The agent is awake.");
    } finally {
      api.delete(agents + "/" + agentId, tenant.apiKey());
    }
  }

  @Test
  void twoFactor_setUpWithTheQrCode_thenTheLoginAsksForTheCode() throws Exception {
    SignedUp t = signUp("Browser Two Factor");
    logIn(t.email(), t.password());
    open("/account");
    browser.findElement(By.xpath("//button[normalize-space()='Set up two-factor login']")).click();
    waitFor(() -> !browser.findElements(By.cssSelector(".qr-box svg")).isEmpty());
    assertThat(browser.findElement(By.cssSelector(".qr-box svg")).getSize().getWidth()).isGreaterThan(150);
    screenshot("two-factor-setup");
    String secret = text("[data-enrol-secret]").replace(" ", "");
    long step = clock.instant().getEpochSecond() / 30;
    type("enable-code", dev.reef.testing.AuthenticatorApp.code(secret, step));
    browser.findElement(By.xpath("//button[normalize-space()='Turn on']")).click();
    waitFor(() -> !browser.findElements(By.cssSelector("[data-recovery-codes] li")).isEmpty());
    assertThat(browser.findElements(By.cssSelector("[data-recovery-codes] li"))).hasSize(10);
    assertThat(text("[data-two-factor]")).contains("On:");
    logOut();
    open("/login");
    type("email", t.email());
    type("password", t.password());
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
    waitFor(() -> browser.getCurrentUrl().endsWith("/login/code"));
    type("code", dev.reef.testing.AuthenticatorApp.code(secret, step + 1));
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
    waitFor(() -> browser.getCurrentUrl().contains("/t/"));
  }

  @Test
  void agentSettings_personaSaved_asVersions_withADiff_andARollback() throws Exception {
    SignedUp tenant = signUp("Browser Settings");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String agentId = api.post(agents, tenant.apiKey(), Api.body("name", "shaped", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt, "start", false)).at("/id");
    try {
      logIn(tenant.email(), tenant.password());
      open("/t/" + tenant.tenantId() + "/agents/" + agentId);
      browser.findElement(By.cssSelector(".actions a[href$='/agents/" + agentId + "/settings']")).click();
      waitFor(() -> text("h1").startsWith("Settings of"));
      assertThat(text("main")).contains("Not changed since it was deployed");
      type("persona-soul", "# Captain Reef\n\nYou keep the **harbour log**.");
      new Select(browser.findElement(By.id("settings-profile"))).selectByValue("messaging");
      browser.findElement(By.cssSelector("input[data-tool-group='group:web']")).click();
      browser.findElement(By.id("save-settings")).click();
      waitFor(() -> text("main").contains("Saved as version 1"));
      assertThat(browser.findElement(By.cssSelector("input[data-tool-group='group:web']")).isSelected()).isTrue();
      assertThat(api.get(agents + "/" + agentId + "/config", tenant.apiKey()).json().at("/config/toolsDeny")
          .valueStream().map(tools.jackson.databind.JsonNode::asString).toList()).containsExactly("group:web");
      assertThat(text("main")).contains("applies when the agent next starts");
      // the preview renders the Markdown
      browser.findElement(By.cssSelector(".persona-file details summary")).click();
      assertThat(browser.findElement(By.cssSelector(".markdown strong")).getText()).isEqualTo("harbour log");

      type("persona-soul", "# Captain Reef\n\nYou keep the **ship's log**.");
      browser.findElement(By.id("save-settings")).click();
      waitFor(() -> text("main").contains("Saved as version 2"));
      browser.findElement(By.cssSelector("[data-version='2'] details summary")).click();
      assertThat(text("[data-version='2'] pre.diff .remove")).contains("harbour log");
      assertThat(text("[data-version='2'] pre.diff .add")).contains("ship's log");
      ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()",
          browser.findElement(By.id("history-title")));
      screenshot("agent-settings");

      browser.findElement(By.cssSelector("button[aria-label='Roll back to version 1']")).click();
      waitFor(() -> text("main").contains("Back to version 1's settings, as version 3"));
      assertThat(browser.findElement(By.id("persona-soul")).getDomProperty("value")).contains("harbour log");
      assertThat(api.get(agents + "/" + agentId + "/config", tenant.apiKey()).at("/config/toolProfile"))
          .isEqualTo("messaging");

      // a refused setting names its field, as the page labels it
      type("settings-every", "10s");
      browser.findElement(By.id("save-settings")).click();
      waitFor(() -> text("main").contains("Heartbeat every: at least 5m"));
    } finally {
      api.delete(agents + "/" + agentId, tenant.apiKey());
    }
  }

  @Test
  void telegram_connectedFromThePage_aMessageFromTheFakeTelegramShows_andDisconnectAsksFirst() throws Exception {
    SignedUp tenant = signUp("Browser Telegram");
    catalog.generousLimits(tenant.tenantId());
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    String agentId = api.post(agents, tenant.apiKey(), Api.body("name", "reachable", "runtime", FakeRuntime.NAME,
        "model", catalog.gpt, "start", false)).at("/id");
    FakeTelegram telegram = FakeTelegram.shared();
    FakeTelegram.Bot bot = telegram.newBot("browser");
    try {
      logIn(tenant.email(), tenant.password());
      open("/t/" + tenant.tenantId() + "/agents/" + agentId);
      browser.findElement(By.cssSelector(".actions a[href$='/agents/" + agentId + "/channels']")).click();
      waitFor(() -> text("h1").startsWith("Channels of"));
      assertThat(text("[data-channel='telegram'] [data-channel-status]")).isEqualTo("disconnected");
      assertThat(text("[data-channel='telegram'] ol.howto")).contains("@BotFather").contains("/newbot");

      // a token Telegram does not know: refused, saying so, nothing stored
      type("telegram-token", bot.id() + ":AAHnot-a-token-telegram-knows-000000");
      type("telegram-allow", "4242");
      browser.findElement(By.cssSelector("form[data-channel-form='telegram'] button[type=submit]")).click();
      waitFor(() -> text("main").contains("Bot token: Telegram did not accept this bot token"));
      assertThat(text("[data-channel='telegram'] [data-channel-status]")).isEqualTo("disconnected");

      type("telegram-token", bot.token());
      type("telegram-allow", "4242, 4343");
      browser.findElement(By.cssSelector("form[data-channel-form='telegram'] button[type=submit]")).click();
      waitFor(() -> text("main").contains("Telegram is connected to @" + bot.username()));
      assertThat(text("[data-channel='telegram'] [data-channel-status]")).isEqualTo("connected");
      assertThat(text("[data-channel='telegram'] [data-fact='who']")).isEqualTo("Only 4242, 4343");
      assertThat(browser.getPageSource()).doesNotContain(bot.token().substring(bot.token().indexOf(':') + 1));

      // the agent is stopped (a person's stop): the message waits for it, and the page says so
      assertThat(telegram.send(bot, 4242, "hello from the phone").status()).isEqualTo(200);
      open("/t/" + tenant.tenantId() + "/agents/" + agentId + "/channels");
      assertThat(text("[data-channel='telegram'] [data-fact='waiting']")).isEqualTo("1");
      assertThat(text("[data-channel='telegram'] [data-fact='last-message']")).isNotEqualTo("none yet");
      screenshot("agent-channels");

      browser.findElement(By.cssSelector("form[action$='/telegram/disconnect'] button")).click();
      browser.switchTo().alert().dismiss(); // asked first: nothing happens on "cancel"
      assertThat(text("[data-channel='telegram'] [data-channel-status]")).isEqualTo("connected");
      browser.findElement(By.cssSelector("form[action$='/telegram/disconnect'] button")).click();
      browser.switchTo().alert().accept();
      waitFor(() -> text("main").contains("Telegram is disconnected"));
      assertThat(text("[data-channel='telegram'] [data-channel-status]")).isEqualTo("disconnected");
      assertThat(telegram.webhookUrl(bot)).isNull();
    } finally {
      api.delete(agents + "/" + agentId, tenant.apiKey());
    }
  }

  /**
   * Issue 20's "done when", with real OpenClaw and nothing but the dashboard and a (fake) Telegram: the agent deployed
   * and given a persona on its settings page, Telegram connected on its channels page. A person's message is answered
   * and the model is shown the persona; the agent falls asleep, and the next message wakes it; asked for a report in
   * a few minutes, the agent schedules it itself (OpenClaw's automations tool), falls asleep again, the dashboard
   * shows when its next run is, and Reef wakes it in time for the report to reach Telegram when it is due.
   */
  @Test
  void openclaw_persona_telegram_sleepsBetweenMessages_andItsScheduledReportArrivesOnTime() throws Exception {
    RequiredService.requireNpm();
    SignedUp tenant = signUp("Harbour Master");
    catalog.generousLimits(tenant.tenantId());
    api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY, Map.of("idleStopMinutes", 1,
        "requestsPerMinute", 100000, "maxConcurrentRequests", 1000, "monthlyBudgetUsd", 1000));
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    FakeTelegram telegram = FakeTelegram.shared();
    FakeTelegram.Bot bot = telegram.newBot("harbour");
    long owner = 5550003;
    String agentId = null;
    try {
      logIn(tenant.email(), tenant.password());
      open("/t/" + tenant.tenantId());
      type("agent-name", "harbour-master");
      new Select(browser.findElement(By.id("agent-model"))).selectByValue(catalog.gpt);
      new Select(browser.findElement(By.id("agent-runtime"))).selectByValue("openclaw");
      browser.findElement(By.id("deploy-button")).click();
      waitFor(() -> browser.getCurrentUrl().matches(".*/agents/[0-9a-f-]{36}$"));
      agentId = browser.getCurrentUrl().replaceFirst(".*/agents/", "");
      String agentPage = "/t/" + tenant.tenantId() + "/agents/" + agentId;
      waitFor(Duration.ofMinutes(5), () -> text(".agent-status .badge").equals("Running"));

      // a persona, from the settings page
      browser.findElement(By.cssSelector(".actions a[href$='/agents/" + agentId + "/settings']")).click();
      waitFor(() -> text("h1").startsWith("Settings of"));
      type("persona-soul", "# Harbour Master\n\nYou are the Harbour Master of Reef Bay. You sign as HM.");
      browser.findElement(By.id("save-settings")).click();
      waitFor(() -> text("main").contains("Saved as version 1"));

      // Telegram, from the channels page
      open(agentPage + "/channels");
      type("telegram-token", bot.token());
      type("telegram-allow", Long.toString(owner));
      browser.findElement(By.cssSelector("form[data-channel-form='telegram'] button[type=submit]")).click();
      waitFor(() -> text("main").contains("Telegram is connected to @" + bot.username()));
      open(agentPage);
      waitFor(Duration.ofMinutes(5), () -> text(".agent-status .badge").equals("Running"));

      // awake: answered, and the model was shown the persona
      UPSTREAM.reply("Ahoy, this is the Harbour Master. HM");
      telegram.send(bot, owner, "Hello, who keeps this harbour?");
      awaitTelegram(telegram, bot, "Ahoy, this is the Harbour Master. HM");
      assertThat(modelCallWith("Hello, who keeps this harbour?")).contains("Harbour Master of Reef Bay");

      // idle for its minute: asleep, as the dashboard says
      waitFor(Duration.ofMinutes(3), () -> text(".agent-status .badge").equals("Sleeping"));

      // asleep: the next message wakes it; it schedules the report itself, as a model asked for one would
      java.time.Instant due = java.time.Instant.now().plusSeconds(240).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      // (OpenClaw offers its tools through a catalog: the model calls tool_call with the tool's name and arguments)
      UPSTREAM.callToolOnce("tool_call", Api.JSON.writeValueAsString(Map.of("id", "automations", "args", Map.of(
          "action", "add", "job", Map.of("name", "harbour report", "schedule", Map.of("kind", "at", "at",
              due.toString()), "sessionTarget", "isolated", "payload", Map.of("kind", "agentTurn", "message",
              "Write the harbour report"), "delivery", Map.of("mode", "announce", "channel", "telegram", "to",
              Long.toString(owner)))))));
      UPSTREAM.reply("Aye, the harbour report is scheduled. HM");
      telegram.send(bot, owner, "Send me the harbour report in four minutes, please");
      awaitTelegram(telegram, bot, "Aye, the harbour report is scheduled. HM");
      // allowed: the person is on the channel's allowlist, so OpenClaw counts them as the agent's owner
      assertThat(UPSTREAM.toolResult()).as("the automations tool's answer").isPresent()
          .hasValueSatisfying(result -> assertThat(result).contains("harbour report")
              .doesNotContain("\"status\": \"error\""));
      UPSTREAM.reply("Harbour report: all calm, three boats in. HM");

      // asleep again, and the dashboard says when it runs next
      open(agentPage);
      waitFor(Duration.ofMinutes(3), () -> text("[data-next-run]").startsWith("sleeping, next run "));
      assertThat(text(".agent-status .badge")).isEqualTo("Sleeping");
      assertThat(text("[data-next-run]")).contains(java.time.format.DateTimeFormatter.ofPattern("HH:mm")
          .withZone(java.time.ZoneOffset.UTC).format(due));
      screenshot("agent-sleeping-next-run");

      // woken by Reef ahead of it; the report reaches Telegram when it is due
      awaitTelegram(telegram, bot, "Harbour report: all calm, three boats in. HM");
      java.time.Instant arrived = java.time.Instant.now();
      assertThat(arrived).isAfterOrEqualTo(due.minusSeconds(5));
      assertThat(modelCallWith("Write the harbour report")).isNotNull();
      // it was asleep until Reef started it, ahead of the run
      List<java.time.Instant> starts = api.get(agents + "/" + agentId + "/events?limit=50", tenant.apiKey()).json()
          .path("items").valueStream().filter(e -> e.path("state").asString().equals("starting"))
          .map(e -> java.time.Instant.parse(e.path("at").asString())).toList();
      assertThat(starts).anyMatch(at -> at.isBefore(due) && at.isAfter(due.minus(Duration.ofMinutes(2))));
    } catch (AssertionError | RuntimeException e) {
      if (agentId != null) { // what the agent said, to see why from the test's output
        System.out.println("agent's events: " + api.get(agents + "/" + agentId + "/events?limit=30",
            tenant.apiKey()) + "\nagent's last output:\n" + api.get(agents + "/" + agentId + "/logs?tail=300",
            tenant.apiKey()).text());
      }
      throw e;
    } finally {
      if (agentId != null) {
        api.delete(agents + "/" + agentId, tenant.apiKey());
      }
    }
  }

  private static void awaitTelegram(FakeTelegram telegram, FakeTelegram.Bot bot, String text) {
    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(telegram.sentAndEdited(bot)).extracting(FakeTelegram.Sent::text)
            .anyMatch(t -> t.contains(text)));
  }

  /** The last request the model got with this text in it, as JSON text. */
  private static String modelCallWith(String text) {
    return UPSTREAM.requests().reversed().stream().map(r -> r.body().toString()).filter(b -> b.contains(text))
        .findFirst().orElseThrow(() -> new AssertionError("no model call with '" + text + "'"));
  }

  @Test
  void darkMode_followsTheSystemSetting() throws Exception {
    logIn("operator@reef.test", "operator-password-1");
    open("/operator/runtimes");
    String light = (String) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
        "return getComputedStyle(document.body).backgroundColor;");
    ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", java.util.Map.of("features",
        List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
    open("/operator/runtimes");
    String dark = (String) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
        "return getComputedStyle(document.body).backgroundColor;");
    assertThat(light).isEqualTo("rgb(244, 246, 249)");
    assertThat(dark).as("the page follows the system's dark setting").isEqualTo("rgb(15, 20, 27)");
    screenshot("dark-runtimes");
  }

  @Test
  void narrowScreen_pagesFitWithoutSideways() throws Exception {
    browser.manage().window().setSize(new Dimension(390, 844));
    logIn("operator@reef.test", "operator-password-1");
    SignedUp tenant = signUp("Narrow Screen");
    String agent = "/t/" + tenant.tenantId() + "/agents/" + api.post("/api/v1/tenants/" + tenant.tenantId()
        + "/agents", tenant.apiKey(), Api.body("name", "narrow", "runtime", FakeRuntime.NAME, "start", false))
        .at("/id");
    for (String path : List.of(agent, agent + "/chat", agent + "/settings", agent + "/channels","/operator/tenants", "/operator/health", "/operator/catalog", "/operator/runtimes",
        "/operator/plans", "/operator/api-keys", "/operator/secrets", "/operator/tenants/new", "/account",
        "/t/" + tenant.tenantId(),
        "/t/" + tenant.tenantId() + "/usage", "/t/" + tenant.tenantId() + "/settings/members")) {
      open(path);
      Object overflow = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
          "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
      Object culprits = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
          var w = document.documentElement.clientWidth, out = [];
          document.querySelectorAll('body *').forEach(function (e) {
            var r = e.getBoundingClientRect();
            if (r.right > w + 1 && !e.closest('.table-wrap')) { out.push(e.tagName + '.' + e.className + '#' + e.id); }
          });
          return out.slice(0, 6).join(', ');""");
      assertThat(((Number) overflow).intValue()).as(path + ": " + culprits).isLessThanOrEqualTo(1);
    }
    open("/t/" + tenant.tenantId());
    screenshot("mobile-home");
    deleteAgents(tenant);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void open(String path) {
    browser.get(api.base() + path);
  }

  private void logIn(String email, String password) {
    open("/login");
    type("email", email);
    type("password", password);
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
    waitFor(() -> !browser.getCurrentUrl().contains("/login"));
  }

  private void logOut() {
    browser.findElement(By.cssSelector("form[action$='/logout'] button")).click();
    waitFor(() -> browser.getCurrentUrl().contains("/login"));
  }

  private void type(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  /** The element's text; "" while it is missing or being replaced (a page loading, htmx swapping it). */
  private String text(String css) {
    try {
      List<WebElement> found = browser.findElements(By.cssSelector(css));
      return found.isEmpty() ? "" : found.getFirst().getText().trim();
    } catch (StaleElementReferenceException e) {
      return "";
    }
  }

  private void waitFor(java.util.function.BooleanSupplier condition) {
    waitFor(WAIT, condition);
  }

  private void waitFor(Duration within, java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, within, Duration.ofMillis(100)).ignoring(StaleElementReferenceException.class)
        .until(d -> condition.getAsBoolean());
  }

  /** Into target/screenshots; also into docs/screenshots with REEF_SCREENSHOTS=docs. */
  private void screenshot(String name) throws IOException {
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Path target = Path.of("target", "screenshots");
    Files.createDirectories(target);
    Files.copy(shot, target.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    if ("docs".equals(System.getenv("REEF_SCREENSHOTS"))) {
      Path docs = Path.of("..", "docs", "screenshots");
      Files.createDirectories(docs);
      Files.copy(shot, docs.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
