package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.restassured.path.json.JsonPath;

/**
 * The demo's scenario, step by step as README tells a user: the partner goes away, then hangs, and offer keeps
 * answering, opens its circuit on the failuresToOpen-th consecutive failure and closes it again once the partner is back
 * and the delay is over. Subclasses say which policy offer runs with, and how the partner is stopped and started: as a
 * process, or as a container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PartnerOutageScenario {

    static final String PARTNER_HEALTH_TILE = "partner-offer health";
    static final String OFFER_HEALTH_TILE = "offer health";
    static final String OFFER_TILE = "Offer a customer gets now";
    static final String CIRCUIT_TILE = "Circuit to partner-offer";
    static final String FAILURES_TILE = "Consecutive failures";
    static final String REJECTED_TILE = "Calls rejected by the open circuit";
    static final String SHED_TILE = "Callers shed (offer busy)";
    static final String LIMIT_TILE = "Partner calls allowed at once";
    static final String PROBES_TILE = "Live and ready probes";

    final Timeline timeline = new Timeline(getClass().getSimpleName());

    abstract String offerUrl();

    OfferClient offer() {
        return new OfferClient(offerUrl());
    }

    abstract String partnerUrl();

    /** The policy offer was started with in this test; /circuit must show it, and the breaker must follow it. */
    abstract int failuresToOpen();

    abstract int delaySeconds();

    abstract int timeoutMillis();

    abstract void stopPartner();

    abstract void startPartner();

    abstract void pausePartner();

    abstract void resumePartner();

    abstract String offerLog();

    /** Starts or unpauses partner-offer if a step left it stopped or paused, so a failed step does not fail the next. */
    abstract void ensurePartnerRunning();

    /** The reasons offer may give while partner-offer is stopped. */
    Set<String> partnerGoneReasons() {
        return Set.of("partner-unreachable");
    }

    /** Where config.json's {@code partner-offer:8081} and {@code offer:8080} run in this test. */
    Map<String, String> boardHosts() {
        return Map.of("partner-offer:8081", partnerUrl().substring("http://".length()),
                "offer:8080", offerUrl().substring("http://".length()));
    }

    /**
     * Each step starts from the demo's first screen: partner up, circuit CLOSED. Every step ends there too; only one that
     * failed midway leaves the circuit open, and the next one then waits for its trial, as a user would.
     */
    @BeforeEach
    void partnerUpAndCircuitClosed() {
        ensurePartnerRunning();
        JsonPath circuit = offer().circuit();
        if (!"CLOSED".equals(circuit.getString("state")) || circuit.getInt("failures") != 0) {
            awaitHotOffer();
        }
        expectCircuit("CLOSED", 0);
    }

    @AfterAll
    void printTimeline() {
        timeline.print();
    }

    @Test
    void servesColdOffersWhileThePartnerIsDownAndHotOnesOnceItIsBack() {
        timeline.step("all up");
        expectOffer("hot", "partner-answered");
        expectCircuit("CLOSED", 0);
        long openedBefore = logged("changed state from CLOSED to OPEN");
        long closedBefore = logged("changed state from HALF_OPEN to CLOSED");

        timeline.step("partner-offer stopped");
        stopPartner();
        int failuresToOpen = failuresToOpen();
        for (int failures = 1; failures <= failuresToOpen; failures++) {
            expectOffer("cold", partnerGoneReasons());
            expectCircuit(failures < failuresToOpen ? "CLOSED" : "OPEN", failures);
        }
        expectOffer("cold", "circuit-open");

        timeline.step("partner-offer started");
        startPartner();
        // The partner is back, but the circuit stays open until the delay is over, and the partner is not called.
        long partnerRequests = partnerOfferRequests();
        JsonPath open = offer().circuit();
        assertEquals("OPEN", open.getString("state"), () -> "the delay was over before partner-offer was back: " + open.prettify());
        assertTrue(Instant.now().isBefore(Instant.parse(open.getString("nextTrialAt"))), "still within the delay");
        expectOffer("cold", "circuit-open");
        assertEquals(partnerRequests, partnerOfferRequests(), "requests that reached partner-offer while OPEN");

        timeline.step("waiting for the trial call after the delay");
        awaitHotOffer();
        expectCircuit("CLOSED", 0);
        assertEquals(openedBefore + 1, logged("changed state from CLOSED to OPEN"), "CLOSED -> OPEN logged once");
        assertEquals(closedBefore + 1, logged("changed state from HALF_OPEN to CLOSED"), "HALF_OPEN -> CLOSED logged once");
    }

    @Test
    void servesColdOffersWithinTheTimeoutWhileThePartnerHangs() {
        timeline.step("all up");
        expectOffer("hot", "partner-answered");
        expectCircuit("CLOSED", 0);

        timeline.step("partner-offer paused (hanging)");
        pausePartner();
        int failuresToOpen = failuresToOpen();
        for (int failures = 1; failures <= failuresToOpen; failures++) {
            expectOfferWithinBound("cold", "timeout");
            expectCircuit(failures < failuresToOpen ? "CLOSED" : "OPEN", failures);
        }
        expectOfferWithinBound("cold", "circuit-open");

        timeline.step("partner-offer unpaused");
        resumePartner();
        awaitHotOffer();
        expectCircuit("CLOSED", 0);
    }

    /**
     * The board as Monitoror's own core shows it, in each phase of both outages: it fetches each tile's URL itself when
     * asked, so each look at the board is one customer's call to {@code /offers}, one more failure while the partner
     * is gone.
     */
    @Test
    void theBoardShowsEachPhaseAsMonitororReadsIt() {
        Monitoror monitoror = monitoror();
        timeline.step("board: all up");
        expectAllUp(board(monitoror));

        timeline.step("board: partner-offer stopped");
        stopPartner();
        expectRedUntilTheCircuitOpens(monitoror, partnerStopped());
        timeline.step("board: partner-offer started, waiting for the trial after the delay");
        startPartner();
        Map<String, Monitoror.Tile> back = awaitBoard(monitoror, Duration.ofSeconds(30),
                board -> board.get(PARTNER_HEALTH_TILE).status().equals("SUCCESS"));
        expectTile(back, PARTNER_HEALTH_TILE, "SUCCESS", "UP");
        expectGroup(back, "SUCCESS", "4 / 4");
        // Within the delay (a container may take most of it to start) the circuit stays open and the offer cold.
        if ("OPEN".equals(back.get(CIRCUIT_TILE).value())) {
            expectTile(back, CIRCUIT_TILE, "FAILURE", "OPEN");
            expectTile(back, OFFER_TILE, "FAILURE", "cold");
        } else {
            expectTile(back, CIRCUIT_TILE, "SUCCESS", "CLOSED");
            expectTile(back, OFFER_TILE, "SUCCESS", "hot");
        }
        expectAllUp(awaitAllGreen(monitoror));

        timeline.step("board: partner-offer paused (hanging)");
        pausePartner();
        expectRedUntilTheCircuitOpens(monitoror, new Monitoror.Tile("WARNING", "timeout/host unreachable", ""));
        timeline.step("board: partner-offer unpaused, waiting for the trial after the delay");
        resumePartner();
        expectAllUp(awaitAllGreen(monitoror));
    }

    /** Monitoror's core running with config.json, where the test runs the services. */
    abstract Monitoror monitoror();

    /** partner-offer's health tile while it is stopped: its port refuses connections (a process) or its name is gone. */
    Monitoror.Tile partnerStopped() {
        return new Monitoror.Tile("FAILURE", "unable to get http://" + boardHosts().get("partner-offer:8081") + "/q/health", "");
    }

    /** Longer than Monitoror's cache of each tile's answer (monitoror.env), so each look at the board is a fresh one. */
    private static Duration boardRefresh() {
        return Duration.ofMillis(Long.parseLong(Monitoror.settings().get("MO_UPSTREAMCACHEEXPIRATION")) + 500);
    }

    private Map<String, Monitoror.Tile> board(Monitoror monitoror) {
        Map<String, Monitoror.Tile> board = monitoror.board();
        timeline.step("board: " + board);
        return board;
    }

    /** One look at the board after another, each one more failure, until the circuit tile shows it OPEN; then one more. */
    private void expectRedUntilTheCircuitOpens(Monitoror monitoror, Monitoror.Tile partnerHealth) {
        List<Map<String, Monitoror.Tile>> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollDelay(boardRefresh()).pollInterval(boardRefresh()).until(() -> {
            Map<String, Monitoror.Tile> board = board(monitoror);
            seen.add(board);
            return "OPEN".equals(board.get(CIRCUIT_TILE).value()) || seen.size() > failuresToOpen();
        });
        int failuresToOpen = failuresToOpen();
        assertEquals(failuresToOpen, seen.size(), "looks at the board until the circuit opened: " + seen);
        for (int look = 1; look <= failuresToOpen; look++) {
            Map<String, Monitoror.Tile> board = seen.get(look - 1);
            assertEquals(partnerHealth, board.get(PARTNER_HEALTH_TILE), board::toString);
            expectTile(board, OFFER_HEALTH_TILE, "SUCCESS", "UP");
            expectTile(board, OFFER_TILE, "FAILURE", "cold");
            expectTile(board, FAILURES_TILE, "FAILURE", Integer.toString(look));
            boolean closed = look < failuresToOpen;
            expectTile(board, CIRCUIT_TILE, closed ? "SUCCESS" : "FAILURE", closed ? "CLOSED" : "OPEN");
            expectGroup(board, partnerHealth.status(), "2 / 4");
        }
        expectCircuit("OPEN", failuresToOpen);

        // The next look at the board is a call the open circuit rejects.
        long rejectedBefore = Long.parseLong(seen.get(failuresToOpen - 1).get(REJECTED_TILE).value());
        Map<String, Monitoror.Tile> open = awaitBoard(monitoror, Duration.ofSeconds(30),
                board -> !board.get(REJECTED_TILE).value().equals(Long.toString(rejectedBefore)));
        expectTile(open, CIRCUIT_TILE, "FAILURE", "OPEN");
        expectTile(open, OFFER_TILE, "FAILURE", "cold");
        expectTile(open, REJECTED_TILE, "SUCCESS", Long.toString(rejectedBefore + 1));
        assertEquals(rejectedBefore + 1, offer().circuit().getLong("rejected"), "offer's own count of rejected calls");
    }

    private Map<String, Monitoror.Tile> awaitAllGreen(Monitoror monitoror) {
        return awaitBoard(monitoror, Duration.ofSeconds(delaySeconds() + 30L),
                board -> board.values().stream().allMatch(tile -> tile.status().equals("SUCCESS")));
    }

    /** Fresh looks at the board (none within Monitoror's cache time of the last) until one shows what is awaited. */
    private Map<String, Monitoror.Tile> awaitBoard(Monitoror monitoror, Duration atMost, Predicate<Map<String, Monitoror.Tile>> awaited) {
        return await().atMost(atMost).pollDelay(boardRefresh()).pollInterval(boardRefresh()).until(() -> board(monitoror), awaited);
    }

    private static void expectAllUp(Map<String, Monitoror.Tile> board) {
        expectTile(board, PARTNER_HEALTH_TILE, "SUCCESS", "UP");
        expectTile(board, OFFER_HEALTH_TILE, "SUCCESS", "UP");
        expectTile(board, OFFER_TILE, "SUCCESS", "hot");
        expectTile(board, CIRCUIT_TILE, "SUCCESS", "CLOSED");
        expectTile(board, FAILURES_TILE, "SUCCESS", "0");
        assertEquals("SUCCESS", board.get(REJECTED_TILE).status(), board::toString);
        assertTrue(board.get(REJECTED_TILE).value().matches("\\d+"), board::toString);
        assertEquals("SUCCESS", board.get(SHED_TILE).status(), board::toString);
        assertTrue(board.get(SHED_TILE).value().matches("\\d+"), board::toString);
        // The limit Admission has now, as /circuit tells it: at least one call to the partner at once.
        assertEquals("SUCCESS", board.get(LIMIT_TILE).status(), board::toString);
        assertTrue(Integer.parseInt(board.get(LIMIT_TILE).value()) >= 1, board::toString);
        expectGroup(board, "SUCCESS", "4 / 4");
        assertEquals(9, board.size(), () -> "the board's tiles: " + board.keySet());
    }

    private static void expectTile(Map<String, Monitoror.Tile> board, String label, String status, String value) {
        assertEquals(new Monitoror.Tile(status, "", value), board.get(label), () -> label + ": " + board);
    }

    private static void expectGroup(Map<String, Monitoror.Tile> board, String status, String message) {
        assertEquals(new Monitoror.Tile(status, message, ""), board.get(PROBES_TILE), () -> PROBES_TILE + ": " + board);
    }

    void expectOffer(String type, String reason) {
        expectOffer(type, Set.of(reason));
    }

    void expectOffer(String type, Set<String> reasons) {
        OfferClient.Answer answer = offer().ask();
        assertEquals(List.of(200, type), List.of(answer.status(), answer.type()), answer::toString);
        assertTrue(reasons.contains(answer.reason()), answer::toString);
        assertTrue(answer.offer().hasNonNull("id") && answer.offer().hasNonNull("description")
                && answer.offer().hasNonNull("price"), answer::toString);
        saw(answer);
    }

    /** Puts what a customer got, and the circuit right after, in the timeline. */
    private void saw(OfferClient.Answer answer) {
        JsonPath circuit = offer().circuit();
        timeline.saw(answer.type(), answer.reason(), circuit.getString("state"), circuit.getInt("failures"));
    }

    private void expectOfferWithinBound(String type, String reason) {
        long start = System.nanoTime();
        expectOffer(type, reason);
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(millis < OfferClient.ANSWER_BOUND_MILLIS, "answered in " + millis + " ms, bound " + OfferClient.ANSWER_BOUND_MILLIS + " ms");
    }

    void expectCircuit(String state, int failures) {
        JsonPath circuit = offer().circuit();
        assertEquals(state, circuit.getString("state"), circuit::prettify);
        assertEquals(failures, circuit.getInt("failures"), circuit::prettify);
        assertEquals(List.of(failuresToOpen(), delaySeconds(), timeoutMillis()), List.of(circuit.getInt("failuresToOpen"),
                circuit.getInt("delaySeconds"), circuit.getInt("timeoutMillis")), () -> "the policy in force: " + circuit.prettify());
        // offer stays ready whatever its partner does.
        given().baseUri(offerUrl()).get("/q/health/ready").then().statusCode(200);
    }

    void awaitHotOffer() {
        await().atMost(Duration.ofSeconds(delaySeconds() + 20L)).pollInterval(Duration.ofMillis(500)).until(() -> {
            OfferClient.Answer answer = offer().ask();
            assertEquals(200, answer.status(), answer::toString);
            saw(answer);
            return "hot".equals(answer.type());
        });
    }

    /** Requests partner-offer has served on /offers, from its own HTTP server metrics. */
    long partnerOfferRequests() {
        return ServiceProcess.offersServed(partnerUrl());
    }

    private long logged(String phrase) {
        return Pattern.compile(Pattern.quote(phrase)).matcher(offerLog()).results().count();
    }
}
