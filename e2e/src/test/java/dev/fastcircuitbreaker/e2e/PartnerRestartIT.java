package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/** partner-offer restarted, asked by nobody but offer: the trial after the delay meets it in time; offer's page shows it. */
class PartnerRestartIT {

    /** Long enough to see the page's countdown run. */
    private static final int DELAY_SECONDS = 4;
    private static final int CYCLES = 3;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Browser chromium;

    @AfterEach
    void stop() throws Exception {
        ServiceProcess.stopAll(chromium, offer, partner);
    }

    @Test
    void theTrialAfterARestartMeetsAPartnerThatAnswersClosesTheCircuitAndThePageShowsIt() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        var env = Map.of("PARTNER_OFFER_URL", partner.url(), "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS));
        offer = ServiceProcess.start("offer", env);
        OfferClient customer = new OfferClient(offer.url());
        chromium = Browser.start();
        chromium.driver().get(offer.url() + "/");
        page("the circuit CLOSED and the page live", () -> text("state").equals("CLOSED") && text("connection").equals("(live)"));
        click("get-offer");
        page("a hot offer for the first customer", () -> text("offer").startsWith("hot (partner-answered)"));

        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            partner.kill();
            List<String> down = List.of(customer.ask().reason(), customer.ask().reason(), customer.ask().reason());
            assertEquals(List.of("partner-unreachable", "partner-unreachable", "partner-unreachable"), down, "cycle " + cycle);
            assertEquals("OPEN", customer.circuit().getString("state"), "cycle " + cycle);
            if (cycle == 1) {
                expectPageOpen();
            }

            partner = partner.restart(Map.of());
            // Only offer's own /circuit is read while waiting: nobody else calls the partner.
            await().atMost(Duration.ofSeconds(DELAY_SECONDS + 10L)).pollInterval(Duration.ofMillis(20))
                    .until(() -> "HALF_OPEN".equals(customer.circuit().getString("state")));
            OfferClient.Answer trial = customer.ask();

            assertEquals("partner-answered", trial.reason(), () -> "the trial after restart " + trial);
            assertEquals("CLOSED", customer.circuit().getString("state"));
            // The partner's own count: the one trial (its warm-up is none of it).
            assertEquals(1, ServiceProcess.offersServed(partner.url()), "requests partner-offer served");
        }

        page("CLOSED again, and the whole story", () -> text("state").equals("CLOSED")
                && text("events").contains("OPEN → HALF_OPEN") && text("events").contains("HALF_OPEN → CLOSED"));
        // Read in one go: the page redraws the timeline with each message, replacing its elements.
        List<?> bands = (List<?>) chromium.driver().executeScript(
                "return [...document.querySelectorAll('#timeline rect')].map(band => band.getAttribute('fill'))");
        assertTrue(bands.containsAll(List.of("#2e9e44", "#d0312d", "#f0a202")), "bands of each state: " + bands);
        Number marks = (Number) chromium.driver().executeScript("return document.querySelectorAll('#timeline line').length");
        assertTrue(marks.intValue() >= 6, "each event marked: " + marks);
        chromium.screenshot("offer-page-closed");

        offer.close();
        page("the page noticing offer is gone", () -> text("connection").contains("reconnecting"));
        offer = offer.restart(env);
        page("the page live again, with the new offer's (empty) story", () -> text("connection").equals("(live)")
                && text("state").equals("CLOSED") && text("events").isEmpty());
    }

    private void expectPageOpen() {
        page("the circuit OPEN", () -> text("state").equals("OPEN"));
        click("get-offer");
        page("a cold offer without calling the partner", () -> text("offer").startsWith("cold (circuit-open)"));
        assertTrue(chromium.driver().findElement(By.id("state")).getCssValue("background-color").contains("208, 49, 45"),
                "a red badge");
        assertEquals("3 / 3", text("failures"));
        String countdown = text("countdown");
        page("the countdown running (" + countdown + ")",
                () -> text("countdown").matches("in \\d+ s") && !text("countdown").equals(countdown));
        page("three failures and OPEN in the story", () -> text("events").contains("failure 3: partner-unreachable")
                && text("events").contains("CLOSED → OPEN"));
        chromium.screenshot("offer-page-open");
    }

    private String text(String id) {
        return chromium.driver().findElement(By.id(id)).getText().strip();
    }

    private void click(String id) {
        chromium.driver().findElement(By.id(id)).click();
    }

    private void page(String what, BooleanSupplier shown) {
        new WebDriverWait(chromium.driver(), Duration.ofSeconds(DELAY_SECONDS + 20L), Duration.ofMillis(300))
                .withMessage(() -> what + "; the page shows state " + text("state") + ", offer " + text("offer") + ", events:\n"
                        + text("events"))
                .until(driver -> shown.getAsBoolean());
    }
}
