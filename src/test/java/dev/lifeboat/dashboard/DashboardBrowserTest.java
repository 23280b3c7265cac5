package dev.lifeboat.dashboard;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.anonymous;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser: the system's headless Chromium driven by Selenium against the
 * running test application, with real backups and drills of the targets {@code dash} (small) and
 * {@code dashslow} (100 MB read through a throttled relay, so its backup lasts seconds). The steps run
 * in order, as a user would go: wrong token, sign in, back up and drill until the card is green, the
 * target page and its chart, a progress bar during a backup, a viewer without actions, a problem's
 * detail, and the page at 375 px. Screenshots go to target/screenshots/.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Path SHOTS = Path.of("target/screenshots");
    static final String DASH_DB = "lifeboat_dash";
    static final String SLOW_DB = "lifeboat_dashslow";
    static final String RESTORED_DB = "lbt_dash_restored";

    static ChromeDriverService service;
    static ChromeDriver browser;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void startBrowser() throws Exception {
        TargetDbs.ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + DASH_DB + " WITH (FORCE)",
                "CREATE DATABASE " + DASH_DB + " OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn(DASH_DB, "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE boats (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO boats SELECT g, 'boat ' || g FROM generate_series(1, 2000) g");
        ensureSlowDatabase();

        Files.createDirectories(SHOTS);
        // The Debian packages chromium and chromium-driver (scripts/test.sh installs them): nothing is downloaded.
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--disable-extensions", "--no-first-run");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    /** About 100 MB of text (made once, kept between runs): through the 16 MiB/s relay its dump takes about 6 s. */
    static void ensureSlowDatabase() throws Exception {
        if (PgTestDb.count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + SLOW_DB + "'") == 1
                && PgTestDb.count(SLOW_DB, "SELECT count(*) FROM pg_tables WHERE tablename = 'posts'") == 1
                && PgTestDb.count(SLOW_DB, "SELECT count(*) FROM posts") == 200_000) {
            return;
        }
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + SLOW_DB + " WITH (FORCE)",
                "CREATE DATABASE " + SLOW_DB + " OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn(SLOW_DB, "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE posts (id int PRIMARY KEY, body text NOT NULL)",
                "INSERT INTO posts SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 15) FROM generate_series(1, 200000) g");
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    // ---- the steps ----

    @Test
    @Order(1)
    void aWrongTokenShowsTheApisReason() {
        browser.get(root.toString());
        signIn("not-a-token");
        WebElement error = waitFor(By.id("signin-error"), WebElement::isDisplayed);
        assertThat(error.getText()).contains("Sign-in failed").contains("The bearer token is not valid.");
        assertThat(sessionToken()).as("a refused token is not kept").isNull();
        assertThat(browser.getCurrentUrl()).doesNotContain("not-a-token");
        assertThat(browser.findElements(By.cssSelector("#nav:not([hidden])"))).isEmpty();
    }

    @Test
    @Order(2)
    void anOperatorBacksUpAndDrillsUntilTheCardIsGreen() {
        // Old backups of "dash" from earlier runs: gone, so its card starts red ("no good backup").
        for (String id : as(VIEWER).get("/api/v1/backups?target=dash&limit=500").jsonPath().getList("items.id", String.class)) {
            as(ADMIN).delete("/api/v1/backups/" + id).then().statusCode(204);
        }
        browser.get(root.toString());
        signIn(OPERATOR);
        assertThat(waitFor(By.id("role-help"), e -> !e.getText().isBlank()).getText())
                .contains("operator").contains("may back up, drill, verify");
        assertThat(sessionToken()).as("kept in sessionStorage").isEqualTo(OPERATOR);
        assertThat(browser.getCurrentUrl()).doesNotContain(OPERATOR);
        WebElement card = card("dash");
        assertThat(card.getAttribute("data-status")).isEqualTo("red");
        assertThat(card.getText()).contains("No good backup");

        // "Back up now" on the card makes a backup job, which the API lists.
        card.findElement(By.cssSelector("button[data-action=backup]")).click();
        String backupJob = lastJobId();
        JsonPath job = as(VIEWER).get("/api/v1/jobs/" + backupJob).jsonPath();
        assertThat(job.getString("kind")).isEqualTo("backup");
        assertThat(job.getString("target")).isEqualTo("dash");
        assertThat(awaitJob(backupJob).getString("status")).isEqualTo("succeeded");
        waitFor(() -> card("dash").getAttribute("data-status").equals("amber"), "card amber after a backup without a drill");
        assertThat(card("dash").getText()).contains("No drill yet");

        card("dash").findElement(By.cssSelector("button[data-action=drill]")).click();
        String drillJob = lastJobId();
        assertThat(drillJob).isNotEqualTo(backupJob);
        JsonPath drill = awaitJob(drillJob);
        assertThat(drill.getBoolean("result.passed")).as(drill.prettify()).isTrue();

        // Without a reload, the card turns green and shows the drill's restore time.
        waitFor(() -> card("dash").getAttribute("data-status").equals("green"), "card green after a backup and a passed drill");
        WebElement green = card("dash");
        assertThat(green.findElement(By.cssSelector(".pill")).getText()).isEqualTo("Healthy");
        assertThat(green.findElement(By.cssSelector(".drill")).getText()).startsWith("passed · RTO ");
        assertThat(green.getText()).contains("Last good backup").contains("Next backup").contains("not scheduled here");
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        assertThat(lowContrastText()).as("text below WCAG AA contrast on the overview").isEmpty();
        screenshot("overview");
    }

    @Test
    @Order(3)
    void theTargetPageChartsOnePointPerBackup() {
        backupSucceeds("dash"); // a second backup: two points
        int backups = as(VIEWER).get("/api/v1/backups?target=dash&limit=500").jsonPath().getList("items").size();
        assertThat(backups).isEqualTo(2);
        browser.get(root + "#/targets/dash");
        WebElement size = waitFor(By.cssSelector("#chart-size"), e -> e.findElements(By.tagName("canvas")).size() == 1);
        assertThat(size.getAttribute("data-points")).isEqualTo(String.valueOf(backups));
        assertThat(browser.findElement(By.cssSelector("#chart-duration")).getAttribute("data-points")).isEqualTo(String.valueOf(backups));
        assertThat(browser.findElement(By.cssSelector("#chart-rto")).getAttribute("data-points")).isEqualTo("1");
        assertThat(browser.findElements(By.cssSelector("#backups tbody tr"))).hasSize(backups);
        // Each backup row has the operator's actions; restore and pin are the admin's.
        WebElement row = browser.findElement(By.cssSelector("#backups tbody tr"));
        assertThat(row.findElements(By.cssSelector("button[data-action]")).stream().map(b -> b.getAttribute("data-action")).toList())
                .containsExactly("verify", "drill");
        assertThat(browser.findElements(By.cssSelector("#retention tbody tr"))).hasSize(backups);
        assertThat(browser.findElement(By.id("retention")).getText()).contains("keep");
        assertThat(lowContrastText()).as("text below WCAG AA contrast, light theme").isEmpty();
        fullPageScreenshot("target");

        // The dark theme, kept for the next visit, and back.
        browser.findElement(By.id("theme")).click();
        waitFor(() -> "dark".equals(browser.findElement(By.tagName("html")).getAttribute("data-theme")), "dark theme");
        waitFor(By.cssSelector("#chart-size canvas"), WebElement::isDisplayed);
        assertThat(lowContrastText()).as("text below WCAG AA contrast, dark theme").isEmpty();
        screenshot("target-dark");
        browser.findElement(By.id("theme")).click();
        waitFor(() -> "light".equals(browser.findElement(By.tagName("html")).getAttribute("data-theme")), "light theme");
    }

    @Test
    @Order(4)
    void aProgressBarAdvancesDuringARealBackup() {
        browser.get(root + "#/jobs");
        waitFor(By.id("job-list"), e -> !e.getText().contains("Loading"));
        Response r = as(OPERATOR).body(Map.of("target", "dashslow")).post("/api/v1/backups");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        String id = r.jsonPath().getString("id");
        By bar = By.cssSelector("progress[data-job-id='" + id + "']");
        // Every read of the bar while the backup runs (the page polls the job list once a second).
        List<Long> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(150)).ignoreException(StaleElementReferenceException.class)
                .until(() -> {
                    List<WebElement> bars = browser.findElements(bar);
                    String done = bars.isEmpty() ? null : bars.get(0).getAttribute("value");
                    long value = done == null || done.isEmpty() ? 0 : (long) Double.parseDouble(done);
                    if (value > 0 && (seen.isEmpty() || value != seen.get(seen.size() - 1))) {
                        seen.add(value);
                        if (seen.size() == 2) {
                            screenshot("jobs-progress");
                        }
                    }
                    return seen.size() >= 3;
                });
        JsonPath job = awaitJob(id);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(seen).as("bytes shown by the progress bar while the backup ran").isSorted();
        waitFor(By.cssSelector("li[data-job-id='" + id + "'][data-status=succeeded]"), WebElement::isDisplayed);
    }

    @Test
    @Order(5)
    void aProblemShowsTheApisDetail() {
        browser.get(root + "#/");
        // wrongpw can never have a backup (its password is wrong): a drill of it is refused with 422.
        String detail = as(OPERATOR).body(Map.of("target", "wrongpw")).post("/api/v1/drills").then().statusCode(422)
                .extract().jsonPath().getString("detail");
        card("wrongpw").findElement(By.cssSelector("button[data-action=drill]")).click();
        WebElement error = waitFor(By.id("error"), WebElement::isDisplayed);
        assertThat(error.getText()).contains("422").contains(detail);
    }

    @Test
    @Order(6)
    void aViewerSeesNoActionsAndAnAdminRestoresOnlyWithTheTypedName() throws Exception {
        browser.findElement(By.id("signout")).click();
        // By keyboard alone: the token field has the focus, Enter signs in.
        WebElement input = waitFor(By.id("token"), WebElement::isDisplayed);
        assertThat(browser.switchTo().activeElement()).isEqualTo(input);
        input.sendKeys(VIEWER, Keys.ENTER);
        assertThat(waitFor(By.id("role-help"), e -> !e.getText().isBlank()).getText()).contains("viewer").contains("no actions");
        assertThat(card("dash").getAttribute("data-status")).isEqualTo("green");
        assertThat(browser.findElements(By.cssSelector("main button"))).as("buttons a viewer sees").isEmpty();
        browser.get(root + "#/targets/dash");
        waitFor(By.cssSelector("#backups tbody tr"), WebElement::isDisplayed);
        assertThat(browser.findElements(By.cssSelector("main button"))).as("buttons a viewer sees").isEmpty();
        as(VIEWER).body(Map.of("target", "dash")).post("/api/v1/backups").then().statusCode(403); // the API still says no

        browser.findElement(By.id("signout")).click();
        assertThat(sessionToken()).as("signed out: the token is gone").isNull();
        signIn(ADMIN);
        browser.get(root + "#/targets/dash");
        WebElement restore = waitFor(By.cssSelector("#backups button[data-action=restore]"), WebElement::isDisplayed);
        restore.click();
        WebElement dialog = waitFor(By.id("restore-dialog"), WebElement::isDisplayed);
        dialog.findElement(By.id("mode-replace")).click();
        WebElement submit = dialog.findElement(By.cssSelector("button[type=submit]"));
        assertThat(submit.isEnabled()).as("replace without the typed name").isFalse();
        dialog.findElement(By.id("restore-confirm")).sendKeys("das");
        assertThat(submit.isEnabled()).isFalse();
        dialog.findElement(By.id("restore-confirm")).sendKeys("h");
        assertThat(submit.isEnabled()).as("replace with the typed name 'dash'").isTrue();
        dialog.findElement(By.cssSelector("button.ghost")).click();
        assertThat(dialog.isDisplayed()).isFalse();

        // A restore into a new database, from the dialog: a real restore job.
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + RESTORED_DB + " WITH (FORCE)");
        browser.findElement(By.cssSelector("#backups button[data-action=restore]")).click();
        dialog = waitFor(By.id("restore-dialog"), WebElement::isDisplayed);
        WebElement database = dialog.findElement(By.id("restore-db"));
        assertThat(browser.switchTo().activeElement()).as("the dialog starts at the database name").isEqualTo(database);
        database.clear();
        database.sendKeys(RESTORED_DB);
        dialog.findElement(By.cssSelector("button[type=submit]")).click();
        JsonPath restored = awaitJob(lastJobId());
        try {
            assertThat(restored.getString("kind")).isEqualTo("restore");
            assertThat(restored.getString("status")).as(restored.prettify()).isEqualTo("succeeded");
            assertThat(PgTestDb.count(RESTORED_DB, "SELECT count(*) FROM boats")).isEqualTo(2000);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + RESTORED_DB + " WITH (FORCE)");
        }
    }

    @Test
    @Order(7)
    void at375PixelsNothingOverflowsAndNoScriptErred() {
        browser.manage().window().setSize(new Dimension(375, 800));
        try {
            browser.get(root + "#/");
            card("dash");
            assertThat(horizontalOverflow()).as("horizontal overflow of the overview at 375 px").isLessThanOrEqualTo(0);
            screenshot("overview-375");
            browser.get(root + "#/targets/dash");
            waitFor(By.cssSelector("#chart-size canvas"), WebElement::isDisplayed);
            waitFor(By.cssSelector("#backups tbody tr"), WebElement::isDisplayed);
            assertThat(horizontalOverflow()).as("horizontal overflow of the target page at 375 px (tables scroll in their box)")
                    .isLessThanOrEqualTo(0);
            screenshot("target-375");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
        // No script error and no Content-Security-Policy refusal in the whole session (4xx answers are expected).
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
                .filter(m -> !m.matches("(?s).*status of 4\\d\\d.*")).toList();
        assertThat(severe).isEmpty();
        // The dashboard is served at / with its policy, and holds no data without a token.
        anonymous().get("/").then().statusCode(200).header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"));
        anonymous().get("/api/v1/targets").then().statusCode(401);
    }

    // ---- helpers ----

    void signIn(String token) {
        WebElement input = waitFor(By.id("token"), WebElement::isDisplayed);
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.id("signin")).click();
    }

    /**
     * Every visible text on the page whose contrast with its background is below WCAG AA (4.5:1, or
     * 3:1 for large text), as "text (ratio)"; disabled controls are exempt, as in WCAG.
     */
    @SuppressWarnings("unchecked")
    List<String> lowContrastText() {
        Map<String, Object> found = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("""
                const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
                const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
                const background = (el) => {
                  for (let e = el; e; e = e.parentElement) {
                    const c = rgb(getComputedStyle(e).backgroundColor);
                    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
                  }
                  return rgb(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
                };
                const bad = [];
                let checked = 0;
                for (const el of document.querySelectorAll('body *')) {
                  const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
                  if (!text || el.closest('[disabled], .sr-only, [hidden]')) continue;
                  const box = el.getBoundingClientRect();
                  if (box.width === 0 || box.height === 0 || box.right < 0) continue;
                  const style = getComputedStyle(el);
                  if (style.visibility === 'hidden' || style.display === 'none') continue;
                  checked++;
                  const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
                  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
                  const large = size >= 24 || (bold && size >= 18.66);
                  if (ratio < (large ? 3 : 4.5)) bad.push(text.slice(0, 40) + ' (' + ratio.toFixed(2) + ')');
                }
                return {checked, bad};
                """);
        assertThat((Long) found.get("checked")).as("texts whose contrast was checked").isGreaterThan(20);
        return (List<String>) found.get("bad");
    }

    long horizontalOverflow() {
        return (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    }

    String sessionToken() {
        return (String) ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('lifeboat.token')");
    }

    WebElement card(String target) {
        return waitFor(By.cssSelector("article.card[data-target='" + target + "']"), WebElement::isDisplayed);
    }

    /** The job the last action made, as its notice links it. */
    String lastJobId() {
        String previous = (String) ((JavascriptExecutor) browser).executeScript("return window.__lastJob || null");
        String id = new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> links = d.findElements(By.id("last-job"));
            String jobId = links.isEmpty() ? null : links.get(0).getAttribute("data-job-id");
            return jobId != null && !jobId.equals(previous) ? jobId : null;
        });
        ((JavascriptExecutor) browser).executeScript("window.__lastJob = arguments[0]", id);
        return id;
    }

    static WebElement waitFor(By by, java.util.function.Predicate<WebElement> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .until(d -> {
                    List<WebElement> found = d.findElements(by);
                    return !found.isEmpty() && condition.test(found.get(0)) ? found.get(0) : null;
                });
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).withMessage(what)
                .ignoring(StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    /** The whole page: the window as tall as the document (at most 2400 px), then back to 1280x900. */
    static void fullPageScreenshot(String name) {
        long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2400, height + 140)));
        try {
            waitFor(By.cssSelector("#chart-size canvas"), WebElement::isDisplayed);
            screenshot(name);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    static void screenshot(String name) {
        try {
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
