package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * offer's page in a real browser (Debian's headless chromium, driven by its chromedriver) against the packaged
 * services as processes: the partner is killed, the page turns red and counts down to the trial, the partner comes
 * back, the page turns green; offer restarts and the page reconnects by itself. Screenshots go to
 * {@code e2e/target/offer-page-*.png}.
 * <p>
 * In CI (the variable {@code CI} set, as {@code .ci/run} does) a missing browser fails the test; elsewhere it is
 * skipped with the reason printed, so that {@code ./mvnw verify} still works on a machine without chromium.
 */
class OfferPageIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int DELAY_SECONDS = 6;
    private static final Duration PATIENCE = Duration.ofSeconds(DELAY_SECONDS + 20);

    private ServiceProcess partner;
    private ServiceProcess offer;
    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void startServicesAndBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            SkipReasons.skipOutsideCi(CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver)");
        }
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", offerEnvironment());
        profile = Files.createTempDirectory("offer-page-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1000,800", "--user-data-dir=" + profile);
        // The driver is named, so Selenium Manager never tries to download one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        ServiceProcess.stopAll(offer, partner);
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void showsTheBreakerOpeningCountingDownAndClosing() {
        browser.get(offer.url() + "/");
        await("the circuit CLOSED and the page live", () -> text("state").equals("CLOSED") && text("connection").equals("(live)"));
        // The first partner call of a fresh JVM on a busy machine may take longer than the timeout: ask until hot.
        await("a hot offer", () -> {
            click("get-offer");
            return text("offer").startsWith("hot (partner-answered)");
        });

        partner.kill();
        await("the circuit OPEN after clicks on \"get an offer\"", () -> {
            click("get-offer");
            return text("state").equals("OPEN");
        });
        assertTrue(browser.findElement(By.id("state")).getCssValue("background-color").contains("208, 49, 45"),
                "a red badge");
        assertTrue(text("failures").equals("3 / 3"), text("failures"));
        String countdown = text("countdown");
        await("the countdown running (" + countdown + ")", () -> text("countdown").matches("in \\d+ s")
                && !text("countdown").equals(countdown));
        click("get-offer");
        await("a cold offer without calling the partner", () -> text("offer").startsWith("cold (circuit-open)"));
        await("three failures and OPEN in the story", () -> eventsText().contains("failure 3: partner-unreachable")
                && eventsText().contains("CLOSED → OPEN"));
        screenshot("open");

        partner = partner.restart(Map.of());
        await("the circuit CLOSED again after the trial", () -> {
            click("get-offer");
            return text("state").equals("CLOSED") && text("offer").startsWith("hot");
        });
        await("the whole story on the page", () -> eventsText().contains("OPEN → HALF_OPEN")
                && eventsText().contains("HALF_OPEN → CLOSED"));
        // Read in one go: the page redraws the timeline with each message, replacing its elements.
        List<?> bands = (List<?>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#timeline rect')].map(band => band.getAttribute('fill'))");
        assertTrue(bands.containsAll(List.of("#2e9e44", "#d0312d", "#f0a202")), "bands of each state: " + bands);
        Number marks = (Number) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll('#timeline line').length");
        assertTrue(marks.intValue() >= 6, "each event marked: " + marks);
        screenshot("closed");

        offer.close();
        await("the page noticing offer is gone", () -> text("connection").contains("reconnecting"));
        offer = offer.restart(offerEnvironment());
        await("the page live again, with the new offer's (empty) story", () -> text("connection").equals("(live)")
                && text("state").equals("CLOSED") && eventsText().isEmpty());
    }

    private Map<String, String> offerEnvironment() {
        return Map.of("PARTNER_OFFER_URL", partner.url(), "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    private String eventsText() {
        return text("events");
    }

    private void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, PATIENCE, Duration.ofMillis(300)).withMessage(() -> what + "; page shows state "
                + text("state") + ", offer " + text("offer") + ", events:\n" + eventsText())
                .until(driver -> condition.getAsBoolean());
    }

    private void screenshot(String name) {
        Path file = Compose.ROOT.resolve("e2e/target/offer-page-" + name + ".png");
        try {
            Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), file,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("OfferPageIT screenshot: " + file);
    }
}
