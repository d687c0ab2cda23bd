package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.circuit;
import static dev.fastcircuitbreaker.offer.OfferApi.circuitState;
import static dev.fastcircuitbreaker.offer.OfferApi.closeCircuit;
import static dev.fastcircuitbreaker.offer.OfferApi.expectColdOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectHotOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectTheTrialAt;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerFailsWith;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerIsHealthy;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerRequests;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The demo's scenario against a partner double: 3 consecutive failures open the circuit, the open circuit keeps the
 * partner out of it, and after the delay (3 s here, 15 s in the demo) one trial call decides between CLOSED and OPEN.
 * The policy's numbers here are the annotation's, but for the delay; {@link CircuitOverrides} changes them.
 */
@QuarkusTest
@WithTestResource(PartnerDouble.class)
class PartnerCircuitTest {

    /** The override the tests run with ({@code %test.} in application.properties), in the annotation's unit, seconds. */
    static final String DELAY_KEY = "quarkus.fault-tolerance.\"dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer\""
            + ".circuit-breaker.delay";

    @InjectPartnerDouble
    WireMockServer partner;

    @BeforeEach
    void closedCircuitAndHealthyPartner() {
        closeCircuit(partner);
    }

    /**
     * The demo, step by step: hot offers; the partner fails and the third failure in a row opens the circuit; while OPEN
     * the partner is not called; after the delay one trial goes through and, failing, opens the circuit for another
     * delay; the partner is back, and the next trial, at nextTrialAt, closes it.
     */
    @Test
    void opensOnTheThirdFailureKeepsThePartnerOutAndLetsOneTrialDecideAfterEachDelay() {
        expectHotOffer();
        expectCircuit("CLOSED", 0);
        expectWellness("UP", "CLOSED", 0);

        partnerFailsWith(partner, 500);
        for (int failures = 1; failures <= 3; failures++) {
            expectColdOffer("partner-error");
            expectCircuit(failures < 3 ? "CLOSED" : "OPEN", failures);
        }
        assertEquals(3, partnerRequests(partner));
        expectWellness("DOWN", "OPEN", 3);

        JsonPath open = circuit();
        partner.resetRequests();
        // Up to 5 calls, all well before the trial is due (a loaded machine may take a while for each).
        Instant lastCall = Instant.parse(open.getString("nextTrialAt")).minusSeconds(1);
        int calls = 0;
        do {
            expectColdOffer("circuit-open");
            calls++;
        } while (calls < 5 && Instant.now().isBefore(lastCall));
        assertEquals(0, partnerRequests(partner));
        assertEquals(open.getLong("rejected") + calls, circuit().getLong("rejected"), "the calls the partner never saw");

        awaitState("HALF_OPEN");
        expectWellness("DOWN", "HALF_OPEN", 3);
        Instant trialAt = Instant.now();
        expectColdOffer("partner-error");
        JsonPath reopened = circuit();
        assertEquals("OPEN", reopened.getString("state"));
        assertEquals(3, reopened.getInt("failures"));
        assertFalse(Instant.parse(reopened.getString("stateChangedAt")).isBefore(trialAt.minusMillis(100)), "reopened at the trial");

        partner.resetRequests();
        expectTheTrialAt(partner, Instant.parse(reopened.getString("nextTrialAt")));
        expectCircuit("CLOSED", 0);
        expectWellness("UP", "CLOSED", 0);
        assertFalse(circuit().getMap("").containsKey("nextTrialAt"), "no next trial while CLOSED");
    }

    @Test
    void showsThePolicyInForce() {
        JsonPath circuit = circuit();
        // Nothing overrides the annotation's threshold and timeout here: the empty ${CIRCUIT_FAILURES_TO_OPEN:} and
        // ${PARTNER_TIMEOUT_MILLIS:} in application.properties count as not set.
        assertEquals(3, circuit.getInt("failuresToOpen"));
        assertEquals(1000, circuit.getLong("timeoutMillis"));
        assertEquals(ConfigProvider.getConfig().getValue(DELAY_KEY, Long.class), circuit.getLong("delaySeconds"));
    }

    @Test
    void staysClosedWhenASuccessComesBetweenFailures() {
        partnerFailsWith(partner, 500);
        expectColdOffer("partner-error");
        expectColdOffer("partner-error");
        partnerIsHealthy(partner);
        expectHotOffer();
        expectCircuit("CLOSED", 0);
        partnerFailsWith(partner, 500);
        expectColdOffer("partner-error");
        expectColdOffer("partner-error");

        expectCircuit("CLOSED", 2);
        expectWellness("UP", "CLOSED", 2);
    }

    @Test
    void letsExactlyOneTrialThroughUnderConcurrentCalls() throws Exception {
        openCircuit();
        // Slow enough that the other calls arrive while the trial is still running, within the 1 s timeout.
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withFixedDelay(600));
        awaitState("HALF_OPEN");

        List<String> reasons = concurrently(8, () -> given().get("/offers").then().statusCode(200).extract().path("reason"));

        assertEquals(1, partnerRequests(partner));
        assertEquals(1, reasons.stream().filter("partner-answered"::equals).count(), reasons::toString);
        assertEquals(7, reasons.stream().filter("circuit-open"::equals).count(), reasons::toString);
        expectCircuit("CLOSED", 0);
    }

    /** /circuit's counts and SmallRye's own meters tell the same story, checked against the partner's own count. */
    @Test
    void countsPartnerCallsFailuresAndRejectionsInTheViewAndTheMetrics() {
        // SmallRye's meters appear with the first call.
        expectHotOffer();
        JsonPath before = circuit();
        String metricsBefore = metrics();
        partnerFailsWith(partner, 500);
        for (int i = 0; i < 3; i++) {
            expectColdOffer("partner-error");
        }
        expectCircuit("OPEN", 3);
        expectColdOffer("circuit-open");
        expectColdOffer("circuit-open");
        // The partner double forgets its requests with each new answer it is given: these are the failing ones.
        int failedAtThePartner = partnerRequests(partner);
        int turnedAway = 5 - failedAtThePartner;

        JsonPath after = circuit();
        assertEquals(failedAtThePartner, after.getLong("partnerCalls") - before.getLong("partnerCalls"), "the partner's count");
        assertEquals(3, after.getLong("partnerFailures") - before.getLong("partnerFailures"), "the cold answers it caused");
        assertEquals(turnedAway, after.getLong("rejected") - before.getLong("rejected"), "the calls the partner never saw");
        assertEquals(0, after.getLong("shed") - before.getLong("shed"), "failures and rejections are no callers shed");
        assertEquals("partner-offer", after.getString("name"));

        String metricsAfter = metrics();
        assertEquals(failedAtThePartner, delta(metricsBefore, metricsAfter, "ft_circuitbreaker_calls_total",
                "circuitBreakerResult=\"failure\""));
        assertEquals(turnedAway, delta(metricsBefore, metricsAfter, "ft_circuitbreaker_calls_total",
                "circuitBreakerResult=\"circuitBreakerOpen\""));
        assertEquals(1, delta(metricsBefore, metricsAfter, "ft_circuitbreaker_opened_total"));
        // OPEN, or HALF_OPEN if a loaded machine took the whole delay for these calls: not CLOSED.
        assertEquals(0, value(metricsAfter, "ft_circuitbreaker_state_current", "state=\"closed\""));
    }

    private void openCircuit() {
        partnerFailsWith(partner, 500);
        for (int i = 0; i < 3; i++) {
            expectColdOffer("partner-error");
        }
        expectCircuit("OPEN", 3);
        partner.resetRequests();
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static long delta(String before, String after, String name, String... labels) {
        return Math.round(value(after, name, labels) - value(before, name, labels));
    }

    /** The value of the one sample of {@code name} for partner-offer's breaker with these labels, in Prometheus' text. */
    private static double value(String metrics, String name, String... labels) {
        List<Double> values = metrics.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("PartnerOfferClient.hotOffer\""))
                .filter(line -> Stream.of(labels).allMatch(line::contains))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .toList();
        assertEquals(1, values.size(), () -> name + " " + List.of(labels) + " in " + metrics);
        return values.get(0);
    }

    private static void expectCircuit(String state, int failures) {
        JsonPath circuit = circuit();
        assertEquals(state, circuit.getString("state"));
        assertEquals(failures, circuit.getInt("failures"));
        assertEquals(3, circuit.getInt("failuresToOpen"));
        assertEquals("OPEN".equals(state), circuit.getMap("").containsKey("nextTrialAt"));
        expectReady();
    }

    private static void awaitState(String state) {
        Duration delay = Duration.ofSeconds(ConfigProvider.getConfig().getValue(DELAY_KEY, Long.class));
        await().atMost(delay.plusSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> state.equals(circuitState()));
    }

    private static void expectWellness(String status, String state, int failures) {
        given().get("/q/health/well").then()
                .statusCode("UP".equals(status) ? 200 : 503)
                .body("status", equalTo(status))
                .body("checks.find { it.name == 'partner-offer-circuit' }.data.state", equalTo(state));
        assertEquals(failures, circuit().getInt("failures"), "the consecutive failures beside it, on /circuit");
    }

    private static void expectReady() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static List<String> concurrently(int calls, Callable<String> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
