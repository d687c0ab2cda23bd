package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * partner-offer is killed and the circuit opens; it is started again and asked by nobody but offer. From the instant its
 * port accepts, offer's next call after the delay is the trial, and it meets a partner that answers in time: the circuit
 * closes. Three times in a row, each restart a fresh JVM.
 */
class PartnerRestartIT {

    private static final int DELAY_SECONDS = 2;
    private static final int CYCLES = 3;

    private ServiceProcess partner;
    private ServiceProcess offer;

    @AfterEach
    void stop() throws Exception {
        ServiceProcess.stopAll(offer, partner);
    }

    @Test
    void theTrialAfterARestartMeetsAPartnerThatAnswersAndClosesTheCircuit() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS)));
        OfferClient customer = new OfferClient(offer.url());
        assertEquals("partner-answered", customer.ask().reason());

        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            partner.kill();
            List<String> down = List.of(customer.ask().reason(), customer.ask().reason(), customer.ask().reason());
            assertEquals(List.of("partner-unreachable", "partner-unreachable", "partner-unreachable"), down, "cycle " + cycle);
            assertEquals("OPEN", customer.circuit().getString("state"), "cycle " + cycle);

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
    }
}
