package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * offer's page in headless Chromium against the packaged services as processes: the partner is killed, the page turns
 * red and counts down to the trial, the partner comes back, the page turns green; offer restarts and the page
 * reconnects by itself. Screenshots go to {@code e2e/target/offer-page-*.png}. (The board's page: DemoScenario.)
 */
class OfferPageIT {

    private static final int DELAY_SECONDS = 6;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Browser chromium;

    @BeforeEach
    void startBrowser() {
        chromium = Browser.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        ServiceProcess.stopAll(chromium, offer, partner);
    }

    private void startServices() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", offerEnvironment());
    }

    @Test
    void showsTheBreakerOpeningCountingDownAndClosing() {
        startServices();
        chromium.driver.get(offer.url() + "/");
        await("the circuit CLOSED and the page live", () -> text("state").equals("CLOSED") && text("connection").equals("(live)"));
        click("get-offer");
        await("a hot offer for the first customer", () -> text("offer").startsWith("hot (partner-answered)"));

        partner.kill();
        await("the circuit OPEN after clicks on \"get an offer\"", () -> {
            click("get-offer");
            return text("state").equals("OPEN");
        });
        assertTrue(chromium.driver.findElement(By.id("state")).getCssValue("background-color").contains("208, 49, 45"),
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
        List<?> bands = (List<?>) ((JavascriptExecutor) chromium.driver).executeScript(
                "return [...document.querySelectorAll('#timeline rect')].map(band => band.getAttribute('fill'))");
        assertTrue(bands.containsAll(List.of("#2e9e44", "#d0312d", "#f0a202")), "bands of each state: " + bands);
        Number marks = (Number) ((JavascriptExecutor) chromium.driver).executeScript(
                "return document.querySelectorAll('#timeline line').length");
        assertTrue(marks.intValue() >= 6, "each event marked: " + marks);
        chromium.screenshot("offer-page-closed");

        offer.close();
        await("the page noticing offer is gone", () -> text("connection").contains("reconnecting"));
        offer = offer.restart(offerEnvironment());
        await("the page live again, with the new offer's (empty) story", () -> text("connection").equals("(live)")
                && text("state").equals("CLOSED") && eventsText().isEmpty());
    }

    private Duration patience() {
        return Duration.ofSeconds(DELAY_SECONDS + 20);
    }

    private Map<String, String> offerEnvironment() {
        return Map.of("PARTNER_OFFER_URL", partner.url(), "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS));
    }

    private String text(String id) {
        return chromium.driver.findElement(By.id(id)).getText().strip();
    }

    private String eventsText() {
        return text("events");
    }

    private void click(String id) {
        chromium.driver.findElement(By.id(id)).click();
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(chromium.driver, patience(), Duration.ofMillis(300)).withMessage(() -> what + "; page shows state "
                + text("state") + ", offer " + text("offer") + ", events:\n" + eventsText())
                .until(driver -> condition.getAsBoolean());
    }

}
