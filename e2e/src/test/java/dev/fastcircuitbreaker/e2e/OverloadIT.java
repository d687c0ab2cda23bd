package dev.fastcircuitbreaker.e2e;

import static dev.fastcircuitbreaker.e2e.OfferClient.slowest;
import static dev.fastcircuitbreaker.e2e.OfferClient.tally;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.fastcircuitbreaker.e2e.OfferClient.Answer;
import io.restassured.path.json.JsonPath;

/** Offer's own overload is no failure of the partner's, from the first request of a fresh JVM ({@link Callers}). */
class OverloadIT {

    private static final long MARGIN_MILLIS = 100;

    /** A healthy partner, as warm as a real one; each test's offer is fresh. */
    private static ServiceProcess partner;
    private Callers callers;
    private ServiceProcess offer;
    private ServiceProcess hangingPartner;
    private OfferClient.Events events;

    @BeforeAll
    static void startPartner() {
        partner = ServiceProcess.start("partner-offer", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        // The callers hang up first, so that offer does not stop with thousands of connections open.
        ServiceProcess.stopAll(callers, offer, hangingPartner);
        if (partner != null) {
            partnerLatency("0");
        }
    }

    @AfterAll
    static void stopPartner() throws Exception {
        ServiceProcess.stopAll(partner);
    }

    /** 64 callers asking 40 times once opened a fresh offer's circuit; 2,048 get a second more to be read (bench/ANALYSIS.md). */
    @ParameterizedTest(name = "{0} callers asking {1} times each, answered within the timeout + {2} ms")
    @CsvSource({ "64, 40, 100", "512, 1, 100", "2048, 1, 1000" })
    void callersFromTheInstantOfferIsReadyAreAnsweredHotOrBusyInTimeAndNeverOpenTheCircuit(int count, int times,
            long marginMillis) throws Exception {
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        events = new OfferClient(offer.url()).events();
        callers = new Callers(offer.url(), count);
        Witnesses before = witnesses();

        List<Answer> answers = callers.eachAsks(times);

        assertTrue(times > 1 || tally(answers).containsKey("offer-busy"), "those over the limit are answered offer-busy");
        expectHotOrBusyInTimeAndCircuitClosed(answers, before, marginMillis);
    }

    /** Callers over the limit, behind calls to a hanging partner, are answered busy as those time out: none waits out two. */
    @Test
    void callersOverTheLimitWhileThePartnerHangsNeverWaitOutTwoTimeouts() throws Exception {
        hangingPartner = ServiceProcess.hostilePartner("status-then-silence");
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", hangingPartner.url()));
        long timeoutMillis = circuit().getLong("timeoutMillis");
        callers = new Callers(offer.url(), 512);

        List<Answer> answers = callers.eachAsks(1);

        Map<String, Long> reasons = tally(answers);
        long timeouts = reasons.getOrDefault("timeout", 0L);
        long busyOrOpen = reasons.getOrDefault("offer-busy", 0L) + reasons.getOrDefault("circuit-open", 0L);
        assertEquals(answers.size(), timeouts + busyOrOpen, "a 200 each: timed out, busy or circuit open: " + reasons);
        // Not timeout + MARGIN_MILLIS: a fresh offer takes a while to read 512 requests at once, and the timeout of each
        // call it lets through starts only then.
        expectNoneLaterThan(2 * timeoutMillis, answers);
        // The partner's own witness: a connection for each call that went to it, and each of those timed out.
        long connections = hangingPartner.log().lines().filter(line -> line.startsWith("connection ")).count();
        assertEquals(timeouts, connections, () -> "partner connections for " + reasons);
        System.out.printf("512 callers at once on a hanging partner: %s, slowest (ms) %s%n", reasons, slowest(answers));
    }

    @Test
    void everyCallerGetsAHotOfferFromASlowHealthyPartnerAndNoAnswerWaitsPastTheTimeoutOnceItHangs() throws Exception {
        partnerLatency("50ms");
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        events = new OfferClient(offer.url()).events();
        callers = new Callers(offer.url(), 256);
        Witnesses before = witnesses();

        List<Answer> first = callers.eachAsks(10);
        expectHotOrBusyInTimeAndCircuitClosed(first, before, MARGIN_MILLIS);
        int limit = circuit().getInt("limit");
        assertTrue(limit >= 256, () -> "the limit grew past the callers: " + limit);

        Witnesses learnt = witnesses();
        List<Answer> answers = callers.eachAsks(10);
        assertEquals(Map.of("partner-answered", (long) answers.size()), tally(answers), "hot offers only");
        expectHotOrBusyInTimeAndCircuitClosed(answers, learnt, MARGIN_MILLIS);

        partnerLatency("1500ms");
        List<Answer> slowed = callers.eachAsks(3);

        // Not timeout + MARGIN_MILLIS: as many calls as callers are under way when the partner slows, and their
        // timeouts, all at once, took up to about 1.5 s to answer here.
        Map<String, Long> reasons = tally(slowed);
        expectNoneLaterThan(2 * before.circuit().getLong("timeoutMillis"), slowed);
        assertEquals(slowed.size(), reasons.getOrDefault("timeout", 0L) + reasons.getOrDefault("circuit-open", 0L)
                + reasons.getOrDefault("offer-busy", 0L), () -> "cold offers only: " + reasons);
        assertTrue(reasons.getOrDefault("timeout", 0L) >= 3, () -> "the partner's timeouts: " + reasons);
        assertEquals("OPEN", circuit().getString("state"));
        System.out.printf("256 callers on a 50 ms partner: %s, then %s (limit %d), then past the timeout: %s, slowest (ms) %s%n",
                tally(first), tally(answers), limit, reasons, slowest(slowed));
    }

    /** What the partner, offer and its log counted before the callers came. */
    private record Witnesses(JsonPath circuit, long partnerServed, long busyAnswered, int logLength) {
    }

    private Witnesses witnesses() {
        return new Witnesses(circuit(), ServiceProcess.offersServed(partner.url()), busyAnswered(), offer.log().length());
    }

    private void expectHotOrBusyInTimeAndCircuitClosed(List<Answer> answers, Witnesses before, long marginMillis) {
        expectNoneLaterThan(before.circuit().getLong("timeoutMillis") + marginMillis, answers);
        Map<String, Long> reasons = tally(answers);
        long hot = reasons.getOrDefault("partner-answered", 0L);
        long busy = reasons.getOrDefault("offer-busy", 0L);
        assertEquals(answers.size(), hot + busy, "every caller got a 200, hot or offer-busy: " + reasons);

        JsonPath after = circuit();
        assertEquals("CLOSED", after.getString("state"));
        assertEquals(0, after.getLong("partnerFailures"), "no partner failure counted");
        assertEquals(0, after.getLong("rejected"), "none turned away by the circuit");
        assertEquals(busy, after.getLong("shed") - before.circuit().getLong("shed"), "/circuit's shed");
        assertEquals(busy, busyAnswered() - before.busyAnswered(), "offer_shed_total in /q/metrics");
        // partner-offer records a request once its answer is out: give the last ones a moment, then compare exactly.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(hot,
                ServiceProcess.offersServed(partner.url()) - before.partnerServed(), "the partner's own count"));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.shed.get() == after.getLong("shed"));
        assertEquals(List.of(), events.stateChanges, "state changes on /circuit/events");
        String logged = offer.log().substring(before.logLength());
        assertFalse(logged.contains("WARN"), "no partner-failure warning in offer's log:\n" + logged);
        System.out.printf("%d callers' answers from the instant offer was ready: %s, slowest (ms) %s%n",
                answers.size(), reasons, slowest(answers));
    }

    private static void expectNoneLaterThan(long millis, List<Answer> answers) {
        assertEquals(Map.of(), tally(answers.stream().filter(answer -> answer.millis() > millis).toList()),
                () -> "answers later than " + millis + " ms; of all " + answers.size() + ", slowest (ms): " + slowest(answers));
    }

    private static void partnerLatency(String latency) {
        given().baseUri(partner.url()).contentType("text/plain").body(latency).put("/latency").then().statusCode(200);
    }

    private JsonPath circuit() {
        return new OfferClient(offer.url()).circuit();
    }

    /** The callers answered busy, as offer's {@code /q/metrics} counts them beside the limit they met. */
    private long busyAnswered() {
        String metrics = given().baseUri(offer.url()).get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("\noffer_admission_limit "), "offer_admission_limit in /q/metrics");
        return metrics.lines().filter(line -> line.startsWith("offer_shed_total "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
