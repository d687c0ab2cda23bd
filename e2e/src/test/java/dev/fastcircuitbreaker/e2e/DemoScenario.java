package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.opentest4j.TestAbortedException;

import io.restassured.path.json.JsonPath;

/**
 * README's demo, step by step, seen through offer's API, Monitoror's core (a look is one customer's call to /offers) and its
 * web UI in Chromium. Tiles are written as the UI draws them: {@code succeeded UP}, {@code failed cold}; {@code n}: any number.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DemoScenario {

    static final String PARTNER_HEALTH = "partner-offer health";
    static final String OFFER_HEALTH = "offer health";
    static final String OFFER = "Offer a customer gets now";
    static final String CIRCUIT = "Circuit to partner-offer";
    static final String FAILURES = "Consecutive failures";
    static final String REJECTED = "Calls rejected by the open circuit";
    static final String SHED = "Callers shed (offer busy)";
    static final String LIMIT = "Partner calls allowed at once";
    static final String PROBES = "Live and ready probes";
    private static final Map<String, String> ALL_UP = Map.of(PARTNER_HEALTH, "succeeded UP", OFFER_HEALTH, "succeeded UP",
            OFFER, "succeeded hot", CIRCUIT, "succeeded CLOSED", FAILURES, "succeeded 0", REJECTED, "succeeded n",
            SHED, "succeeded n", LIMIT, "succeeded n", PROBES, "succeeded 4 / 4");
    private static final String HANGING = "warning timeout/host unreachable";
    private static final int FIRST_CUSTOMERS = 32;

    /** The policy offer runs with here: /circuit must show it, and the breaker must follow it. */
    record Policy(int failuresToOpen, int delaySeconds, int timeoutMillis) {
    }

    private final String route;
    private final Policy policy;
    /** partner-offer's health tile while it is stopped: its port refuses (a process), or its name is gone (yellow). */
    private final String partnerStopped;
    /** What offer may say while partner-offer is stopped. */
    private final String[] partnerGone;
    private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    String offerUrl;
    String partnerUrl;
    private OfferClient offer;
    private Monitoror core;
    private Browser chromium;
    private String boardPage;
    private Instant lastLook = Instant.EPOCH;
    private int screenshots;
    private long openedBefore;
    private long closedBefore;

    DemoScenario(String route, Policy policy, String partnerStopped, String... partnerGone) {
        this.route = route;
        this.policy = policy;
        this.partnerStopped = partnerStopped;
        this.partnerGone = partnerGone;
    }

    abstract String offerLog();

    /** What README's steps do to partner-offer: stop, start (back and ready), pause or unpause it. */
    abstract void partner(String step);

    abstract Monitoror openMonitoror();

    @AfterAll
    void closeBrowserAndPrintTimeline() throws Exception {
        System.out.println("Timeline of " + route + ":\n  " + String.join("\n  ", timeline));
        ServiceProcess.stopAll(chromium);
    }

    @BeforeEach
    void openTheBoard() {
        if (core == null) {
            core = openMonitoror();
            offer = new OfferClient(offerUrl);
        }
    }

    @Test
    @Order(1)
    void allUp() {
        // The first look from the instant both report ready: every tile asked at once, as the UI does, while customers ask.
        var customers = IntStream.range(0, FIRST_CUSTOMERS).mapToObj(i -> offer.askAsync()).toList();
        Map<String, String> firstLook = core.boardAtOnce();
        List<String> reasons = customers.stream().map(answer -> answer.join().reason()).toList();
        expectTiles("the board's first look (the customers got " + reasons + ")", firstLook, ALL_UP);
        lastLook = Instant.now();
        assertEquals(FIRST_CUSTOMERS, Collections.frequency(reasons, "partner-answered"), () -> "the customers got " + reasons);
        assertEquals(0, offer.circuit().getLong("partnerFailures"));
        assertFalse(offerLog().contains(" WARN "), () -> "no partner-failure warning in offer's log:\n" + offerLog());

        expectOffer("hot", "partner-answered");
        expectCircuit("CLOSED", 0);
        openedBefore = logged("changed state from CLOSED to OPEN");
        closedBefore = logged("changed state from HALF_OPEN to CLOSED");
        chromium = optional(Browser::start);
        boardPage = chromium == null ? null : optional(core::page);
        expectPage("all-up", ALL_UP);
    }

    @Test
    @Order(2)
    void partnerDies() {
        partner("stop");
        expectOffer("cold", partnerGone);
        expectCircuit("CLOSED", 1);
        // The page's own look at the offer tile is a customer's call too: 1 or 2 failures by the time it draws them.
        expectPage("partner-stopped", Map.of(PARTNER_HEALTH, partnerStopped, OFFER_HEALTH, "succeeded UP",
                OFFER, "failed cold", CIRCUIT, "succeeded CLOSED", FAILURES, "failed n"));
        expectFailuresUntilOpen(partnerStopped);
    }

    @Test
    @Order(3)
    void circuitOpen() {
        long rejected = offer.circuit().getLong("rejected");
        expectOffer("cold", "circuit-open");
        assertEquals(rejected + 1, offer.circuit().getLong("rejected"), "offer's own count of rejected calls");
        expectTiles("the next look is a call the open circuit rejects", look(), Map.of(CIRCUIT, "failed OPEN",
                OFFER, "failed cold", REJECTED, "succeeded " + (rejected + 2)));
        expectPage("circuit-open", Map.of(PARTNER_HEALTH, partnerStopped, OFFER_HEALTH, "succeeded UP",
                OFFER, "failed cold", CIRCUIT, "failed OPEN", FAILURES, "failed " + policy.failuresToOpen(), SHED, "succeeded n",
                PROBES, colour(partnerStopped) + " 2 / 4"));
    }

    @Test
    @Order(4)
    void partnerBack() {
        partner("start");
        // Back, but the circuit stays open until the delay is over, and the partner is not called.
        long partnerServed = ServiceProcess.offersServed(partnerUrl);
        JsonPath open = offer.circuit();
        assertEquals("OPEN", open.getString("state"), () -> "the delay ended before partner-offer was back: " + open.prettify());
        assertTrue(Instant.now().isBefore(Instant.parse(open.getString("nextTrialAt"))), "still within the delay");
        expectOffer("cold", "circuit-open");
        assertEquals(partnerServed, ServiceProcess.offersServed(partnerUrl), "requests that reached partner-offer while OPEN");
        expectTiles("partner-offer back, the circuit still open",
                awaitLook(board -> board.get(PARTNER_HEALTH).equals("succeeded UP")), Map.of(PROBES, "succeeded 4 / 4"));

        awaitHotOffer();
        expectCircuit("CLOSED", 0);
        assertEquals(openedBefore + 1, logged("changed state from CLOSED to OPEN"), "CLOSED -> OPEN logged once");
        assertEquals(closedBefore + 1, logged("changed state from HALF_OPEN to CLOSED"), "HALF_OPEN -> CLOSED logged once");
        expectAllUp("partner-back");
    }

    @Test
    @Order(5)
    void partnerHangs() {
        partner("pause");
        expectOffer("cold", "timeout");
        expectCircuit("CLOSED", 1);
        expectPage("partner-hangs", Map.of(PARTNER_HEALTH, HANGING, OFFER_HEALTH, "succeeded UP", OFFER, "failed cold",
                CIRCUIT, "succeeded CLOSED"));
        expectFailuresUntilOpen(HANGING);
        expectOffer("cold", "circuit-open");
    }

    @Test
    @Order(6)
    void partnerAnswersAgain() {
        partner("unpause");
        awaitHotOffer();
        expectCircuit("CLOSED", 0);
        expectAllUp(null);
    }

    @Test
    @Order(7)
    void partnerSlowsDown() {
        slowPartner("300ms");
        expectOffer("hot", "partner-answered");
        expectCircuit("CLOSED", 0);
        expectAllUp("partner-slow");

        slowPartner("1500ms");
        for (int failures = 1; failures <= policy.failuresToOpen(); failures++) {
            expectOffer("cold", "timeout");
            expectCircuit(failures < policy.failuresToOpen() ? "CLOSED" : "OPEN", failures);
        }
        Map<String, String> tooSlow = Map.of(PARTNER_HEALTH, "succeeded UP", OFFER_HEALTH, "succeeded UP", OFFER, "failed cold",
                CIRCUIT, "failed OPEN", FAILURES, "failed " + policy.failuresToOpen(), PROBES, "succeeded 4 / 4");
        expectTiles("a partner past the timeout", look(), tooSlow);
        expectPage("partner-too-slow", tooSlow);
    }

    /** Each further look at the board is one more failure, until the circuit opens. */
    private void expectFailuresUntilOpen(String partnerHealth) {
        for (int failures = offer.circuit().getInt("failures") + 1; failures <= policy.failuresToOpen(); failures++) {
            boolean closed = failures < policy.failuresToOpen();
            expectTiles("look at " + failures + " failures", look(), Map.of(PARTNER_HEALTH, partnerHealth,
                    OFFER_HEALTH, "succeeded UP", OFFER, "failed cold", FAILURES, "failed " + failures,
                    CIRCUIT, closed ? "succeeded CLOSED" : "failed OPEN", PROBES, colour(partnerHealth) + " 2 / 4"));
            expectCircuit(closed ? "CLOSED" : "OPEN", failures);
        }
    }

    private void expectAllUp(String screenshot) {
        expectTiles("all green", awaitLook(board -> shows(ALL_UP, board)), ALL_UP);
        if (screenshot != null) {
            expectPage(screenshot, ALL_UP);
        }
    }

    /** The board page opened afresh (its look is one call to each tile), drawn as expected; its screenshot; closed again. */
    private void expectPage(String step, Map<String, String> expected) {
        screenshots++;
        if (boardPage == null) {
            return;
        }
        step("board page: " + step);
        chromium.openBoard(boardPage);
        // Up to the delay, and the UI's 10 s between two looks at each tile.
        chromium.awaitBoard(step, Duration.ofSeconds(policy.delaySeconds() + 30L), board -> shows(expected, board));
        chromium.screenshot(route + "-board-" + screenshots + "-" + step);
        chromium.driver().get("about:blank");
        lastLook = Instant.now();
    }

    /** One fresh look at the board: later than Monitoror's cache of each tile's answer (monitoror.env) after the last. */
    private Map<String, String> look() {
        Duration cache = Duration.ofMillis(Long.parseLong(Monitoror.settings().get("MO_UPSTREAMCACHEEXPIRATION")) + 500);
        Duration wait = Duration.between(Instant.now(), lastLook.plus(cache));
        if (!wait.isNegative()) {
            await().pollDelay(wait).atMost(wait.plusSeconds(1)).until(() -> true);
        }
        Map<String, String> board = core.board();
        lastLook = Instant.now();
        step("board: " + board);
        return board;
    }

    private Map<String, String> awaitLook(Predicate<Map<String, String>> awaited) {
        return await().atMost(Duration.ofSeconds(policy.delaySeconds() + 30L)).pollInterval(Duration.ofMillis(100))
                .until(this::look, awaited);
    }

    private static void expectTiles(String what, Map<String, String> board, Map<String, String> expected) {
        assertTrue(shows(expected, board), () -> what + ": expected " + expected + ", the board shows " + board);
        if (expected.size() == ALL_UP.size()) {
            assertEquals(ALL_UP.keySet(), board.keySet(), "the board's tiles");
        }
    }

    /** Whether each expected tile is drawn so: the same words, a group's listed sub-tiles aside, any number for n. */
    private static boolean shows(Map<String, String> expected, Map<String, String> board) {
        return expected.entrySet().stream().allMatch(tile -> {
            String drawn = board.getOrDefault(tile.getKey(), "");
            String words = tile.getValue();
            return drawn.equals(words) || drawn.startsWith(words + " (")
                    || words.endsWith(" n") && drawn.matches(Pattern.quote(words.substring(0, words.length() - 1)) + "\\d+");
        });
    }

    private static String colour(String tile) {
        return tile.split(" ")[0];
    }

    /** What a tool this machine may lack gives (Monitoror's UI, Chromium), or null with the reason printed; in CI it fails. */
    private <T> T optional(Supplier<T> tool) {
        try {
            return tool.get();
        } catch (TestAbortedException missing) {
            step("skipped: " + missing.getMessage());
            return null;
        }
    }

    private void expectOffer(String type, String... reasons) {
        OfferClient.Answer answer = offer.ask();
        assertEquals(List.of(200, type), List.of(answer.status(), answer.type()), answer::toString);
        assertTrue(List.of(reasons).contains(answer.reason()), answer::toString);
        assertTrue(answer.offer().hasNonNull("id") && answer.offer().hasNonNull("description")
                && answer.offer().hasNonNull("price"), answer::toString);
        assertTrue(answer.millis() < OfferClient.ANSWER_BOUND_MILLIS, () -> "answered in " + answer.millis() + " ms, bound "
                + OfferClient.ANSWER_BOUND_MILLIS + " ms");
        saw(answer);
    }

    void expectCircuit(String state, int failures) {
        JsonPath circuit = offer.circuit();
        assertEquals(state, circuit.getString("state"), circuit::prettify);
        assertEquals(failures, circuit.getInt("failures"), circuit::prettify);
        assertEquals(policy, new Policy(circuit.getInt("failuresToOpen"), circuit.getInt("delaySeconds"),
                circuit.getInt("timeoutMillis")), () -> "the policy in force: " + circuit.prettify());
        // offer stays ready whatever its partner does.
        given().baseUri(offerUrl).get("/q/health/ready").then().statusCode(200);
    }

    void awaitHotOffer() {
        await().atMost(Duration.ofSeconds(policy.delaySeconds() + 20L)).pollInterval(Duration.ofMillis(500)).until(() -> {
            OfferClient.Answer answer = offer.ask();
            assertEquals(200, answer.status(), answer::toString);
            saw(answer);
            return "hot".equals(answer.type());
        });
    }

    /** README's step 7: partner-offer's own {@code PUT /latency}, which {@code ./demo.sh slow partner-offer} sends. */
    void slowPartner(String latency) {
        step("partner-offer's latency " + latency);
        given().baseUri(partnerUrl).contentType("text/plain").body(latency).put("/latency").then().statusCode(200);
    }

    /** One line of the timeline printed at the end, whatever the outcome. */
    void step(String what) {
        timeline.add(now() + "  --- " + what);
    }

    private void saw(OfferClient.Answer answer) {
        JsonPath circuit = offer.circuit();
        timeline.add(String.format("%s  offer=%-4s %-20s circuit=%-9s failures=%d", now(), answer.type(), answer.reason(),
                circuit.getString("state"), circuit.getInt("failures")));
    }

    private static LocalTime now() {
        return LocalTime.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private long logged(String phrase) {
        return Pattern.compile(Pattern.quote(phrase)).matcher(offerLog()).results().count();
    }
}
