package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fastcircuitbreaker.e2e.HostilePartner.Behaviour;
import io.restassured.path.json.JsonPath;

/**
 * Offer's own overload is no failure of the partner's, from the first request of a fresh JVM. With the packaged
 * partner-offer healthy (its own metrics count its requests), callers ask a packaged offer from the instant it reports
 * ready: {@value #ORDINARY_CALLERS} of them, each on a connection it keeps, one request after another; or, on a fresh
 * pair of services, {@value #BURST} at once on connections already open, five times the limit a fresh offer starts
 * with, and {@value #LARGEST_BURST} at once. Every caller gets a 200, hot or {@code offer-busy}, within the timeout
 * plus {@value #MARGIN_MILLIS} ms as it measured it ({@link Callers}); the circuit stays CLOSED (an SSE client of
 * {@code /circuit/events}, connected throughout, sees no state change) and counts no partner failure; each hot
 * answer is one the partner counted, and each busy one is counted as shed, by {@code /circuit}, the event stream and
 * offer's {@code offer_shed_total} meter. With the partner down, the same offer still opens the circuit after
 * 3 failures; with the partner hanging, no caller over the limit waits out two timeouts.
 */
class OverloadIT {

    private static final int BURST = 512;
    /** As many as the burst a warm offer has always taken. */
    private static final int LARGEST_BURST = 2048;
    private static final long MARGIN_MILLIS = 100;
    /** The 64 connections of wrk that once opened a fresh offer's circuit. */
    private static final int ORDINARY_CALLERS = 64;
    private static final int REQUESTS_EACH = 40;
    private static final int SLOW_PARTNER_CALLERS = 256;

    private final ObjectMapper json = new ObjectMapper();
    private Callers callers;
    private ServiceProcess partner;
    private ServiceProcess offer;
    private HostilePartner hangingPartner;
    private EventsSeen events;

    @AfterEach
    void stop() throws Exception {
        // The callers hang up first, so that offer does not stop with thousands of connections open.
        ServiceProcess.stopAll(callers, offer, partner, hangingPartner);
    }

    @Test
    void sixtyFourCallersFromTheInstantOfferIsReadyNeverOpenTheCircuit() throws Exception {
        startFreshPartnerAndOffer();
        callers = new Callers(offer.url(), "/offers", ORDINARY_CALLERS);
        Witnesses before = witnesses();

        List<Answer> answers = answers(callers.eachAsks(REQUESTS_EACH));

        expectHotOrBusyInTimeAndCircuitClosed(answers, before);
    }

    @Test
    void aBurstFromTheInstantOfferIsReadyIsAnsweredBusyAtOnceAndNeverOpensTheCircuit() throws Exception {
        startFreshPartnerAndOffer();
        Witnesses before = witnesses();

        List<Answer> answers = burst(BURST);

        assertTrue(answers.stream().anyMatch(answer -> "offer-busy".equals(answer.reason())),
                "callers over the limit are answered offer-busy");
        expectHotOrBusyInTimeAndCircuitClosed(answers, before);
    }

    @Test
    void twoThousandAtOnceFromTheInstantOfferIsReadyNeverOpenTheCircuit() throws Exception {
        startFreshPartnerAndOffer();
        Witnesses before = witnesses();

        List<Answer> answers = burst(LARGEST_BURST);

        expectHotOrBusyInTimeAndCircuitClosed(answers, before);
    }

    /**
     * Callers over the limit, behind calls to a hanging partner, wait at most the longest wait for a place that comes
     * only as those calls time out: answered busy then, none waits out a second timeout of its own.
     */
    @Test
    void callersOverTheLimitWhileThePartnerHangsNeverWaitOutTwoTimeouts() throws Exception {
        hangingPartner = new HostilePartner(Behaviour.STATUS_THEN_SILENCE, 0);
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", hangingPartner.url()));
        long timeoutMillis = circuit().getLong("timeoutMillis");

        List<Answer> answers = burst(BURST);

        Map<String, Long> reasons = new TreeMap<>();
        answers.forEach(answer -> reasons.merge(answer.status() + " " + answer.reason(), 1L, Long::sum));
        long timeouts = reasons.getOrDefault("200 timeout", 0L);
        assertEquals(answers.size(), timeouts + reasons.getOrDefault("200 offer-busy", 0L) + reasons.getOrDefault("200 circuit-open", 0L),
                "every caller got a 200, timed out, busy or circuit open: " + reasons);
        // Not timeout + MARGIN_MILLIS: a fresh offer takes a while to read 512 requests at once, and the timeout of each
        // call it lets through starts only then.
        List<Answer> late = answers.stream().filter(answer -> answer.millis() >= 2 * timeoutMillis).toList();
        assertEquals(List.of(), late, () -> "answers that waited out two timeouts: " + reasons + ", slowest (ms) " + slowest(answers));
        // The partner's own witness: a connection for each call that went to it, and each of those timed out.
        assertEquals(timeouts, hangingPartner.connections().size(), () -> "partner connections for " + reasons);
        System.out.printf("%d callers at once on a hanging partner: %s, slowest (ms) %s%n", answers.size(), reasons, slowest(answers));
    }

    /**
     * A healthy partner that takes 50 ms to answer, as one across a network, and {@value #SLOW_PARTNER_CALLERS} callers
     * asking one after another from the instant offer is ready, eight times the limit a fresh offer starts with: the
     * first of them are answered hot or busy within the timeout + {@value #MARGIN_MILLIS} ms, never a partner failure;
     * the limit follows the partner, grows past the callers, and then every caller gets a hot offer. Then the partner
     * slows past the timeout: the answers are cold, none waits out two timeouts, and the circuit opens on the
     * partner's timeouts, not on offer's load.
     */
    @Test
    void everyCallerGetsAHotOfferFromASlowHealthyPartnerAndNoAnswerWaitsPastTheTimeoutOnceItHangs() throws Exception {
        partner = ServiceProcess.start("partner-offer", Map.of("PARTNER_OFFER_LATENCY", "50ms"));
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        events = watchEvents();
        callers = new Callers(offer.url(), "/offers", SLOW_PARTNER_CALLERS);
        Witnesses before = witnesses();

        List<Answer> first = answers(callers.eachAsks(10));
        expectHotOrBusyInTimeAndCircuitClosed(first, before);
        int limit = circuit().getInt("limit");
        assertTrue(limit >= SLOW_PARTNER_CALLERS, () -> "the limit grew past the callers: " + limit);

        Witnesses learnt = witnesses();
        List<Answer> answers = answers(callers.eachAsks(10));
        assertEquals(Map.of("200 partner-answered", (long) answers.size()), reasons(answers), "hot offers only");
        expectHotOrBusyInTimeAndCircuitClosed(answers, learnt);

        given().baseUri(partner.url()).contentType("text/plain").body("1500ms").put("/latency").then().statusCode(200);
        List<Answer> slowed = answers(callers.eachAsks(3));

        // Not timeout + MARGIN_MILLIS: as many calls as callers are under way when the partner slows, and their timeouts,
        // all at once, took up to about 1.5 s to answer here.
        long timeoutMillis = before.circuit().getLong("timeoutMillis");
        assertEquals(List.of(), slowed.stream().filter(answer -> answer.millis() >= 2 * timeoutMillis).toList(),
                () -> "answers that waited out two timeouts: " + reasons(slowed) + ", slowest (ms) " + slowest(slowed));
        Map<String, Long> reasons = reasons(slowed);
        assertEquals(slowed.size(), reasons.getOrDefault("200 timeout", 0L) + reasons.getOrDefault("200 circuit-open", 0L)
                + reasons.getOrDefault("200 offer-busy", 0L), () -> "cold offers only: " + reasons);
        assertTrue(reasons.getOrDefault("200 timeout", 0L) >= 3, () -> "the partner's timeouts: " + reasons);
        assertEquals("OPEN", circuit().getString("state"));
        System.out.printf("%d callers on a 50 ms partner: %s, then %s (limit %d), then on one past the timeout: %s, slowest (ms) %s%n",
                SLOW_PARTNER_CALLERS, reasons(first), reasons(answers), limit, reasons, slowest(slowed));
    }

    @Test
    void partnerDownStillOpensTheCircuitAfterThreeFailures() throws Exception {
        int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", "http://127.0.0.1:" + closedPort));
        List<String> reasons = new ArrayList<>();
        callers = new Callers(offer.url(), "/offers", 1);
        for (Answer answer : answers(callers.eachAsks(4))) {
            reasons.add(answer.reason());
        }
        assertEquals(List.of("partner-unreachable", "partner-unreachable", "partner-unreachable", "circuit-open"), reasons);
        assertEquals("OPEN", circuit().getString("state"));
        assertEquals(0, circuit().getLong("shed"));
    }

    private void startFreshPartnerAndOffer() throws Exception {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        events = watchEvents();
    }

    /** What the partner, offer and SmallRye counted before the callers came. */
    private record Witnesses(JsonPath circuit, long partnerServed, long busyAnswered, int logLength) {
    }

    private Witnesses witnesses() {
        return new Witnesses(circuit(), ServiceProcess.offersServed(partner.url()), busyAnswered(), offer.log().length());
    }

    private void expectHotOrBusyInTimeAndCircuitClosed(List<Answer> answers, Witnesses before) {
        long timeoutMillis = before.circuit().getLong("timeoutMillis");
        List<String> late = IntStream.range(0, answers.size())
                .filter(i -> answers.get(i).millis() > timeoutMillis + MARGIN_MILLIS)
                .mapToObj(i -> "#" + i + " " + answers.get(i)).toList();
        assertEquals(List.of(), late, () -> "answers later than " + (timeoutMillis + MARGIN_MILLIS) + " ms (the slowest, in ms: " + slowest(answers) + ")");
        Map<String, Long> reasons = new TreeMap<>();
        answers.forEach(answer -> reasons.merge(answer.status() + " " + answer.reason(), 1L, Long::sum));
        long hot = reasons.getOrDefault("200 partner-answered", 0L);
        long busy = reasons.getOrDefault("200 offer-busy", 0L);
        assertEquals(answers.size(), hot + busy, "every caller got a 200, hot or offer-busy: " + reasons);

        JsonPath after = circuit();
        assertEquals("CLOSED", after.getString("state"));
        assertEquals(0, after.getLong("partnerFailures"), "no partner failure counted");
        assertEquals(0, after.getLong("rejected"), "none turned away by the circuit");
        assertEquals(busy, after.getLong("shed") - before.circuit().getLong("shed"), "/circuit's shed, as the callers got offer-busy");
        assertEquals(busy, busyAnswered() - before.busyAnswered(), "offer_shed_total in /q/metrics");
        // partner-offer records a request once its answer is out: give the last ones a moment, then compare exactly.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(hot,
                ServiceProcess.offersServed(partner.url()) - before.partnerServed(), "the partner's own count of the hot offers it served"));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.shed() == after.getLong("shed"));
        assertEquals(List.of(), events.stateChanges(), "state changes on /circuit/events");
        String logged = offer.log().substring(before.logLength());
        assertFalse(logged.contains("WARN"), "no partner-failure warning in offer's log:\n" + logged);
        System.out.printf("%d callers' answers from the instant offer was ready: %s, slowest (ms) %s%n", answers.size(), reasons, slowest(answers));
    }

    private static Map<String, Long> reasons(List<Answer> answers) {
        Map<String, Long> reasons = new TreeMap<>();
        answers.forEach(answer -> reasons.merge(answer.status() + " " + answer.reason(), 1L, Long::sum));
        return reasons;
    }

    private static Map<String, Long> slowest(List<Answer> answers) {
        Map<String, Long> slowest = new TreeMap<>();
        answers.forEach(answer -> slowest.merge(answer.reason(), answer.millis(), Math::max));
        return slowest;
    }

    /**
     * {@code count} callers, each on a connection of its own already open, send their request at once; each answer with
     * its status, reason and time as the caller measured it. Opening the connections is not what the bound is about:
     * offer's answer to callers.
     */
    private List<Answer> burst(int count) {
        callers = new Callers(offer.url(), "/offers", count);
        return answers(callers.atOnce());
    }

    /** Each answer's reason, read once every answer is in, so that reading them delays none. */
    private List<Answer> answers(List<Callers.Answer> answers) {
        return answers.stream().map(answer -> new Answer(answer.status(), reason(answer), answer.millis())).toList();
    }

    private String reason(Callers.Answer answer) {
        if (answer.status() == 0) {
            return answer.body();
        }
        try {
            return json.readTree(answer.body()).path("reason").asText();
        } catch (IOException e) {
            return "not JSON";
        }
    }

    private record Answer(int status, String reason, long millis) {
    }

    /** What an SSE client of {@code /circuit/events} saw: state changes as "FROM -> TO", and the OFFER_BUSY counts. */
    private record EventsSeen(List<String> stateChanges, AtomicLong shedCounted) {
        long shed() {
            return shedCounted.get();
        }
    }

    private EventsSeen watchEvents() throws Exception {
        EventsSeen seen = new EventsSeen(Collections.synchronizedList(new ArrayList<>()), new AtomicLong());
        CircuitEventStream.follow(offer.url(), event -> {
            switch (event.path("kind").asText()) {
                case "STATE_CHANGED" -> seen.stateChanges().add(event.path("from").asText() + " -> " + event.path("to").asText());
                case "OFFER_BUSY" -> seen.shedCounted().addAndGet(event.path("count").asLong());
                default -> {
                }
            }
        }, line -> seen.stateChanges().add("not JSON: " + line), () -> {
        });
        return seen;
    }

    private JsonPath circuit() {
        return given().baseUri(offer.url()).get("/circuit").then().statusCode(200).extract().jsonPath();
    }

    /** The callers answered busy as offer's {@code /q/metrics} counts them, beside the limit they met. */
    private long busyAnswered() {
        String metrics = given().baseUri(offer.url()).get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("offer_admission_limit ")), "offer_admission_limit in /q/metrics");
        return metrics.lines().filter(line -> line.startsWith("offer_shed_total "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
