package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's first screen, from the instant both packaged services report ready: the board opens in Monitoror (every tile
 * asked at once, as its web UI does) while 32 customers ask for an offer. The board is all green, as
 * in the demo's first step, and every customer gets the partner's hot offer.
 */
class FirstLookIT {

    private static final int CUSTOMERS = 32;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Monitoror monitoror;

    @AfterEach
    void stop() throws Exception {
        ServiceProcess.stopAll(monitoror, offer, partner);
    }

    @Test
    void theBoardsFirstLookAndTheFirstCustomersAreAllGreenAndHot() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        OfferClient customer = new OfferClient(offer.url());
        monitoror = Monitoror.start(Map.of("default", Monitoror.configFor(Map.of(
                "partner-offer:8081", partner.url().substring("http://".length()),
                "offer:8080", offer.url().substring("http://".length())))));

        List<CompletableFuture<OfferClient.Answer>> customers = IntStream.range(0, CUSTOMERS)
                .mapToObj(i -> customer.askAsync()).toList();
        Map<String, Monitoror.Tile> firstLook = monitoror.boardAtOnce();

        firstLook.forEach((label, tile) -> assertEquals("SUCCESS", tile.status(), () -> label + ": " + firstLook));
        assertEquals("hot", firstLook.get(PartnerOutageScenario.OFFER_TILE).value(), firstLook::toString);
        assertEquals("CLOSED", firstLook.get(PartnerOutageScenario.CIRCUIT_TILE).value(), firstLook::toString);
        assertEquals("0", firstLook.get(PartnerOutageScenario.FAILURES_TILE).value(), firstLook::toString);
        assertEquals("4 / 4", firstLook.get(PartnerOutageScenario.PROBES_TILE).message(), firstLook::toString);
        List<String> reasons = customers.stream().map(answer -> answer.join().reason()).toList();
        assertEquals(CUSTOMERS, reasons.stream().filter("partner-answered"::equals).count(), () -> "the customers got " + reasons);
        assertEquals(0, customer.circuit().getLong("partnerFailures"));
        assertFalse(offer.log().contains(" WARN "), () -> "no partner-failure warning in offer's log:\n" + offer.log());
    }
}
