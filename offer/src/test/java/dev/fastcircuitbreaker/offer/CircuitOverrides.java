package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.circuit;
import static dev.fastcircuitbreaker.offer.OfferApi.closeCircuit;
import static dev.fastcircuitbreaker.offer.OfferApi.expectColdOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectTheTrialAt;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerFailsWith;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerRequests;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Change a number in one place, the documented Fault Tolerance key, and the breaker, {@code /circuit} and the wellness
 * check change together: 5 failures to open, a 3 s delay, a 2 s timeout. The short environment variables that feed these
 * keys are set in a real process environment by e2e's DemoAsProcessesIT. And the REST client's own keys, as Quarkus
 * documents them, reach the client offer calls the partner with: a read timeout shorter than the breaker's.
 */
abstract class CircuitOverrides {

    static final String HOT_OFFER = "quarkus.fault-tolerance.\"dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer\".";
    static final int FAILURES_TO_OPEN = 5;
    static final int DELAY_SECONDS = 3;
    static final int TIMEOUT_MILLIS = 2000;
    static final int READ_TIMEOUT_MILLIS = 300;

    /** The keys docs/configuration.md documents. */
    public static class ByKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(HOT_OFFER + "circuit-breaker.request-volume-threshold", Integer.toString(FAILURES_TO_OPEN),
                    "%test." + HOT_OFFER + "circuit-breaker.delay", Integer.toString(DELAY_SECONDS),
                    HOT_OFFER + "timeout.value", Integer.toString(TIMEOUT_MILLIS),
                    "quarkus.rest-client.partner-offer.read-timeout", Integer.toString(READ_TIMEOUT_MILLIS));
        }
    }

    @InjectPartnerDouble
    WireMockServer partner;

    @BeforeEach
    void closedCircuitAndHealthyPartner() {
        closeCircuit(partner);
    }

    @Test
    void opensOnTheFifthConsecutiveFailure() {
        partnerFailsWith(partner, 500);

        for (int failures = 1; failures < FAILURES_TO_OPEN; failures++) {
            expectColdOffer("partner-error");
            expectCircuit("CLOSED", failures);
        }
        expectColdOffer("partner-error");
        expectCircuit("OPEN", FAILURES_TO_OPEN);
        expectColdOffer("circuit-open");

        assertEquals(FAILURES_TO_OPEN, partnerRequests(partner));
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'partner-offer-circuit' }.data.state", equalTo("OPEN"));
    }

    @Test
    void triesThePartnerAgainAfterTheOverriddenDelay() {
        partnerFailsWith(partner, 500);
        for (int i = 0; i < FAILURES_TO_OPEN; i++) {
            expectColdOffer("partner-error");
        }
        JsonPath open = circuit();
        assertEquals(DELAY_SECONDS, open.getLong("delaySeconds"));
        partner.resetRequests();

        expectTheTrialAt(partner, Instant.parse(open.getString("nextTrialAt")));
    }

    @Test
    void aPartnerSlowerThanTheRestClientsReadTimeoutIsATimeoutWellWithinTheBreakersOwn() {
        // Well within the breaker's 2 s, so only the REST client's read timeout makes this a timeout.
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withFixedDelay(3 * READ_TIMEOUT_MILLIS));

        expectColdOffer("timeout");
        assertEquals(1, circuit().getInt("failures"));
    }

    @Test
    void showsTheOverriddenTimeout() {
        assertEquals(TIMEOUT_MILLIS, circuit().getLong("timeoutMillis"));
    }

    private static void expectCircuit(String state, int failures) {
        JsonPath circuit = circuit();
        assertEquals(state, circuit.getString("state"));
        assertEquals(failures, circuit.getInt("failures"));
        assertEquals(FAILURES_TO_OPEN, circuit.getInt("failuresToOpen"));
    }
}
