package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * The demo with the two packaged services as real processes: the partner is killed, then hangs, and offer keeps
 * answering, opens its circuit after 3 failures and closes it again once the partner is back and the delay is over.
 */
class PartnerOutageIT {

    /** Shorter than the demo's 15 s, yet longer than a partner restart, so "back but still cold" can be seen. */
    private static final int DELAY_SECONDS = 8;
    /** offer's default 1 s timeout, plus room for a loaded machine. */
    private static final long ANSWER_BOUND_MILLIS = 1_000 + 1_500;

    private ServiceProcess partner;
    private ServiceProcess offer;

    @BeforeEach
    void startPartnerAndOffer() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of(
                "PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS)));
    }

    @AfterEach
    void stopProcesses() {
        if (offer != null) {
            offer.close();
        }
        if (partner != null) {
            partner.close();
        }
    }

    @Test
    void servesColdOffersWhileThePartnerIsDownAndHotOnesOnceItIsBack() {
        expectOffer("hot", "partner-answered");
        expectCircuit("CLOSED", 0);

        partner.kill();
        expectOffer("cold", "partner-unreachable");
        expectCircuit("CLOSED", 1);
        expectOffer("cold", "partner-unreachable");
        expectCircuit("CLOSED", 2);
        expectOffer("cold", "partner-unreachable");
        expectCircuit("OPEN", 3);
        expectOffer("cold", "circuit-open");
        assertEquals(1, circuit().getLong("rejected"));

        partner = partner.restart(Map.of());
        // The partner is back, but the circuit stays open until the delay is over.
        assertTrue(Instant.now().isBefore(Instant.parse(circuit().getString("nextTrialAt"))), "still within the delay");
        expectOffer("cold", "circuit-open");

        awaitHotOfferAfterTheDelay();
        expectCircuit("CLOSED", 0);
        assertEquals(3, circuit().getLong("partnerFailures"));
        expectTransitionsLoggedOnce();
    }

    @Test
    void servesColdOffersWithinTheTimeoutWhileThePartnerHangs() {
        expectOffer("hot", "partner-answered");

        partner.pause();
        for (int failures = 1; failures <= 3; failures++) {
            expectOffer("cold", "timeout").time(lessThan(ANSWER_BOUND_MILLIS));
            expectCircuit(failures < 3 ? "CLOSED" : "OPEN", failures);
        }
        expectOffer("cold", "circuit-open").time(lessThan(ANSWER_BOUND_MILLIS));

        partner.resume();
        awaitHotOfferAfterTheDelay();
        expectCircuit("CLOSED", 0);
        expectTransitionsLoggedOnce();
    }

    private ValidatableResponse expectOffer(String type, String reason) {
        return given().baseUri(offer.url()).get("/offers").then()
                .statusCode(200)
                .body("type", equalTo(type))
                .body("reason", equalTo(reason))
                .body("id", notNullValue())
                .body("description", notNullValue())
                .body("price", notNullValue());
    }

    private JsonPath circuit() {
        return given().baseUri(offer.url()).get("/circuit").then().statusCode(200).extract().jsonPath();
    }

    private void expectCircuit(String state, int failures) {
        JsonPath circuit = circuit();
        assertEquals(state, circuit.getString("state"), circuit::prettify);
        assertEquals(failures, circuit.getInt("failures"), circuit::prettify);
        given().baseUri(offer.url()).get("/q/health/ready").then().statusCode(200);
    }

    private void awaitHotOfferAfterTheDelay() {
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15)).pollInterval(Duration.ofMillis(250))
                .until(() -> "hot".equals(given().baseUri(offer.url()).get("/offers").then().statusCode(200)
                        .extract().path("type")));
    }

    private void expectTransitionsLoggedOnce() {
        String log = offer.log();
        assertEquals(1, count(log, "changed state from CLOSED to OPEN"), log);
        assertEquals(1, count(log, "changed state from HALF_OPEN to CLOSED"), log);
        assertTrue(count(log, "changed state from OPEN to HALF_OPEN") >= 1, log);
    }

    private static long count(String text, String phrase) {
        return Pattern.compile(Pattern.quote(phrase)).matcher(text).results().count();
    }
}
