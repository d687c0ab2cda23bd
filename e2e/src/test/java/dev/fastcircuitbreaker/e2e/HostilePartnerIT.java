package dev.fastcircuitbreaker.e2e;

import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.fastcircuitbreaker.e2e.HostilePartner.Behaviour;
import dev.fastcircuitbreaker.e2e.HostilePartner.Connection;
import dev.fastcircuitbreaker.e2e.OfferClient.Answer;

/**
 * A partner that misbehaves at the socket level must not hurt offer: the packaged offer at {@code -Xmx64m} takes
 * {@value #CALLERS} callers asking one after another for {@value #LOAD_SECONDS} s per behaviour (docs/hostile-input.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePartnerIT {

    private static final int CALLERS = 16;
    private static final int LOAD_SECONDS = 4;
    /** Short, so that each behaviour meets a few trial calls besides the first burst of 16. */
    private static final int DELAY_SECONDS = 1;
    /** offer's answers, and its hold on a partner connection, may exceed the timeout by this much on a busy machine. */
    private static final long MARGIN_MILLIS = 1_500;
    private static final long MAX_RSS_MIB = 320;

    private HostilePartner partner;
    private ServiceProcess offer;
    private OfferClient client;
    private long timeoutMillis;

    @BeforeAll
    void startOfferWithASmallHeap() {
        partner = new HostilePartner(Behaviour.HEALTHY, 0);
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS), "JAVA_TOOL_OPTIONS", "-Xmx64m"));
        client = new OfferClient(offer.url());
        // From its first request, as a fresh offer meets it: a healthy partner gives a hot offer.
        assertEquals("partner-answered", client.ask().reason());
        assertEquals("CLOSED", client.circuit().getString("state"));
        timeoutMillis = client.circuit().getLong("timeoutMillis");
    }

    @AfterAll
    void stop() throws Exception {
        ServiceProcess.stopAll(offer, partner);
    }

    /**
     * Every answer is a 200 cold offer, for the partner's failure or the open circuit it caused, within the timeout
     * plus the margin; the partner saw a connection of its own for each failure, closed by offer as soon; no
     * OutOfMemoryError, no ERROR, RSS bounded; and offer is hot and CLOSED again once the partner is healthy.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "ENDLESS_CHUNKED, partner-bad-response", "HUGE_CONTENT_LENGTH, partner-bad-response",
            "ONE_BYTE_OVER_THE_LIMIT, partner-bad-response", "GZIP_BOMB, partner-bad-response",
            "ENDLESS_HEADERS, partner-bad-response", "DRIP, timeout", "STATUS_THEN_SILENCE, timeout",
            "RESET_MID_BODY, partner-error" })
    void answersColdInTimeAndLetsGoOfTheConnectionWhenThePartnerMisbehaves(Behaviour behaviour, String reason) throws Exception {
        partner.behave(behaviour);

        List<Answer> answers = underLoad();

        assertTrue(answers.stream().allMatch(answer -> List.of(reason, "circuit-open").contains(answer.reason())),
                () -> summary(answers));
        long failures = answers.stream().filter(answer -> reason.equals(answer.reason())).count();
        assertTrue(failures >= 3, () -> "the partner was called: " + summary(answers));
        long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
        assertTrue(slowest <= timeoutMillis + MARGIN_MILLIS, () -> "slowest answer " + slowest + " ms: " + summary(answers));

        // Let go at the timeout or the body limit, not when the partner stops sending: each failure one connection.
        List<Connection> served = await().atMost(Duration.ofMillis(timeoutMillis + MARGIN_MILLIS + 5_000))
                .until(() -> partner.connections().stream().filter(c -> c.behaviour == behaviour).toList(),
                        connections -> connections.stream().allMatch(c -> c.closedAt != 0));
        assertEquals(failures, served.size(), () -> "partner connections for " + failures + " failures: " + served.size());
        long longestHeld = served.stream().mapToLong(Connection::openMillis).max().orElseThrow();
        assertTrue(longestHeld <= timeoutMillis + MARGIN_MILLIS, () -> "a connection stayed open " + longestHeld + " ms");

        assertTrue(offer.isAlive(), "offer is running");
        assertFalse(offer.log().contains("OutOfMemoryError"), "offer ran out of memory");
        // Each failure is logged once, as the fallback's WARN; nothing of it is an ERROR.
        assertFalse(offer.log().contains("ERROR ["), () -> "offer logged an ERROR:\n" + offer.log());
        long rss = offer.rssMib();
        assertTrue(rss <= MAX_RSS_MIB, "offer's RSS " + rss + " MiB with -Xmx64m");
        System.out.printf("%s: %s, slowest %d ms; %d partner connections, longest held %d ms; offer RSS %d MiB%n",
                behaviour, summary(answers), slowest, served.size(), longestHeld, rss);

        partner.behave(Behaviour.HEALTHY);
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200)).until(() ->
                "partner-answered".equals(client.ask().reason()) && "CLOSED".equals(client.circuit().getString("state")));
    }

    @Test
    void answersHotWhenThePartnersAnswerIsExactlyTheBodyLimit() throws Exception {
        partner.behave(Behaviour.EXACTLY_THE_LIMIT);

        List<Answer> answers = underLoad();

        assertTrue(answers.stream().allMatch(answer -> "partner-answered".equals(answer.reason())), () -> summary(answers));
        assertEquals("CLOSED", client.circuit().getString("state"));
        assertEquals(0, client.circuit().getInt("failures"));
        partner.behave(Behaviour.HEALTHY);
    }

    /** Every answer of {@value #CALLERS} callers asking one after another for {@value #LOAD_SECONDS} s. */
    private List<Answer> underLoad() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(LOAD_SECONDS).toNanos();
        Callable<List<Answer>> caller = () -> {
            List<Answer> answers = new ArrayList<>();
            while (System.nanoTime() < end) {
                answers.add(client.ask());
            }
            return answers;
        };
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Answer> answers = new ArrayList<>();
            for (Future<List<Answer>> each : callers.invokeAll(Collections.nCopies(CALLERS, caller))) {
                answers.addAll(each.get());
            }
            return answers;
        } finally {
            callers.shutdownNow();
        }
    }

    private static String summary(List<Answer> answers) {
        return answers.size() + " answers: " + answers.stream().collect(groupingBy(Answer::reason, counting()));
    }
}
