package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * offer's page in a real browser (Debian's headless chromium, driven by its chromedriver) against the packaged
 * services as processes: the partner is killed, the page turns red and counts down to the trial, the partner comes
 * back, the page turns green; offer restarts and the page reconnects by itself. Screenshots go to
 * {@code e2e/target/offer-page-*.png}. And the Monitoror board as its own web UI draws it (the executable
 * monitoror/build.sh answers with, MONITOROR_BIN's), screenshots {@code e2e/target/board-*.png}.
 * <p>
 * In CI (the variable {@code CI} set, as {@code .ci/run} does) a missing browser fails the test; elsewhere it is
 * skipped with the reason printed, so that {@code ./mvnw verify} still works on a machine without chromium.
 */
class OfferPageIT {

    private static final int DELAY_SECONDS = 6;
    /** The demo's delay (the annotation's), which the board's test runs offer with. */
    private static final int DEMO_DELAY_SECONDS = 15;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Monitoror monitoror;
    private int delaySeconds;
    private Browser chromium;
    private WebDriver browser;

    @BeforeEach
    void startBrowser() {
        chromium = Browser.start();
        browser = chromium.driver;
    }

    @AfterEach
    void stopAll() throws Exception {
        ServiceProcess.stopAll(chromium, monitoror, offer, partner);
    }

    private void startServices(int delay) {
        delaySeconds = delay;
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", offerEnvironment());
    }

    @Test
    void showsTheBreakerOpeningCountingDownAndClosing() {
        startServices(DELAY_SECONDS);
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
        chromium.screenshot("offer-page-open");

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
        chromium.screenshot("offer-page-closed");

        offer.close();
        await("the page noticing offer is gone", () -> text("connection").contains("reconnecting"));
        offer = offer.restart(offerEnvironment());
        await("the page live again, with the new offer's (empty) story", () -> text("connection").equals("(live)")
                && text("state").equals("CLOSED") && eventsText().isEmpty());
    }

    /**
     * Monitoror's board page (its web UI, as the executable serves it, with config.json pointing at the two processes)
     * as a user opens it in each phase of the demo, offer with the demo's policy: every tile as the page draws it, the
     * colour Monitoror's UI gives it (the class c-monitoror-tile__status-succeeded, -failed or -warning) and its value
     * or message, and a screenshot of each phase ({@code e2e/target/board-<phase>.png}).
     */
    @Test
    void theBoardPageDrawsEachPhaseOfTheDemo() {
        startServices(DEMO_DELAY_SECONDS);
        String partnerHost = partner.url().substring("http://".length());
        monitoror = Monitoror.start(Map.of("default", Monitoror.configFor(Map.of("partner-offer:8081", partnerHost,
                "offer:8080", offer.url().substring("http://".length())))));
        chromium.openBoard(monitoror.page());
        // The board's first look: the UI asks for every tile at once, each after a random delay of up to 1.7 s.
        Map<String, String> allUp = awaitBoard("the nine tiles drawn", board -> board.size() == 9
                && board.values().stream().noneMatch(tile -> tile.startsWith("none")));
        // The limit is admission's own, whatever it is now: a number, green.
        assertEquals(allUp(), numberless(allUp, PartnerOutageScenario.LIMIT_TILE), "the board all up");
        chromium.screenshot("board-1-all-up");

        partner.kill();
        OfferClient customer = new OfferClient(offer.url());
        assertEquals("partner-unreachable", customer.ask().reason());
        browser.navigate().refresh();
        // The page's own look at the offer tile is a customer's call too: one or two failures, the circuit still CLOSED.
        Map<String, String> stopped = phase("the partner stopped: 1 or 2 failures, the circuit CLOSED", Map.of(
                PartnerOutageScenario.PARTNER_HEALTH_TILE, "failed unable to get http://" + partnerHost + "/q/health",
                PartnerOutageScenario.OFFER_TILE, "failed cold",
                PartnerOutageScenario.CIRCUIT_TILE, "succeeded CLOSED"));
        assertTrue(Set.of("failed 1", "failed 2").contains(stopped.get(PartnerOutageScenario.FAILURES_TILE)), stopped::toString);
        chromium.screenshot("board-2-partner-stopped");

        while (!"OPEN".equals(customer.circuit().getString("state"))) {
            assertEquals("partner-unreachable", customer.ask().reason());
        }
        browser.navigate().refresh();
        phase("the board red, the circuit OPEN", Map.of(
                PartnerOutageScenario.PARTNER_HEALTH_TILE, "failed unable to get http://" + partnerHost + "/q/health",
                PartnerOutageScenario.OFFER_HEALTH_TILE, "succeeded UP",
                PartnerOutageScenario.OFFER_TILE, "failed cold",
                PartnerOutageScenario.CIRCUIT_TILE, "failed OPEN",
                PartnerOutageScenario.FAILURES_TILE, "failed 3",
                PartnerOutageScenario.SHED_TILE, "succeeded 0",
                PartnerOutageScenario.PROBES_TILE, "failed 2 / 4 (partner-offer live, partner-offer ready)"));
        chromium.screenshot("board-3-open");

        partner = partner.restart(Map.of());
        awaitBoard("all green again after the trial (the UI asks each tile every 10 s)",
                board -> countless(board).equals(countless(allUp())));
        chromium.screenshot("board-4-partner-back");

        // A partner slower than before, but within the timeout: still all green, the offer hot.
        given().baseUri(partner.url()).contentType("text/plain").body("300ms").put("/latency").then().statusCode(200);
        browser.navigate().refresh();
        awaitBoard("all green with a partner 300 ms slow", board -> countless(board).equals(countless(allUp())));
        assertEquals("hot", customer.ask().type());
        chromium.screenshot("board-5-partner-slow");

        partner.pause();
        browser.navigate().refresh();
        phase("the partner hanging: its health yellow, the offer cold", Map.of(
                PartnerOutageScenario.PARTNER_HEALTH_TILE, "warning timeout/host unreachable",
                PartnerOutageScenario.OFFER_HEALTH_TILE, "succeeded UP",
                PartnerOutageScenario.OFFER_TILE, "failed cold"));
        chromium.screenshot("board-6-partner-paused");
        partner.resume();
    }

    /** Waits until the page draws each of these tiles as given (the others as they are); returns the whole board. */
    private Map<String, String> phase(String what, Map<String, String> tiles) {
        return chromium.awaitTiles(what, Duration.ofSeconds(delaySeconds + 30), tiles);
    }

    /** The board with the rejected count's number (a count since start) and the limit's as {@code n}. */
    private static Map<String, String> countless(Map<String, String> board) {
        return numberless(board, PartnerOutageScenario.REJECTED_TILE, PartnerOutageScenario.LIMIT_TILE);
    }

    private static Map<String, String> numberless(Map<String, String> board, String... labels) {
        Map<String, String> numberless = new LinkedHashMap<>(board);
        for (String label : labels) {
            numberless.computeIfPresent(label, (tile, value) -> value.replaceFirst(" \\d+$", " n"));
        }
        return numberless;
    }

    /** The board all up on fresh services: nine green tiles, as README's first step says. */
    private static Map<String, String> allUp() {
        return Map.of(PartnerOutageScenario.PARTNER_HEALTH_TILE, "succeeded UP",
                PartnerOutageScenario.OFFER_HEALTH_TILE, "succeeded UP",
                PartnerOutageScenario.OFFER_TILE, "succeeded hot",
                PartnerOutageScenario.CIRCUIT_TILE, "succeeded CLOSED",
                PartnerOutageScenario.FAILURES_TILE, "succeeded 0",
                PartnerOutageScenario.REJECTED_TILE, "succeeded 0",
                PartnerOutageScenario.SHED_TILE, "succeeded 0",
                PartnerOutageScenario.LIMIT_TILE, "succeeded n",
                PartnerOutageScenario.PROBES_TILE, "succeeded 4 / 4");
    }

    private Map<String, String> awaitBoard(String what, Predicate<Map<String, String>> drawn) {
        // Up to the delay, and the UI's 10 s between two looks at each tile after the trial.
        return chromium.awaitBoard(what, Duration.ofSeconds(delaySeconds + 30), drawn);
    }

    private Duration patience() {
        return Duration.ofSeconds(delaySeconds + 20);
    }

    private Map<String, String> offerEnvironment() {
        return Map.of("PARTNER_OFFER_URL", partner.url(), "CIRCUIT_DELAY_SECONDS", Integer.toString(delaySeconds));
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
        new WebDriverWait(browser, patience(), Duration.ofMillis(300)).withMessage(() -> what + "; page shows state "
                + text("state") + ", offer " + text("offer") + ", events:\n" + eventsText())
                .until(driver -> condition.getAsBoolean());
    }

}
