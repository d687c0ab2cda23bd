package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.fastcircuitbreaker.e2e.HostilePartner.Behaviour;
import dev.fastcircuitbreaker.e2e.HostilePartner.Connection;
import dev.fastcircuitbreaker.e2e.OfferClient.Answer;

/**
 * A partner that misbehaves at the socket level must not hurt offer: the packaged offer, with a small heap, takes 16
 * concurrent callers for a few seconds per behaviour. Every answer is a 200 cold offer with the reason that names the
 * behaviour, within the timeout plus a margin; offer never runs out of memory; it closes every partner connection soon
 * after its timeout or the body limit; and it is hot and CLOSED again as soon as the partner is healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePartnerIT {

    private static final int CALLERS = 16;
    private static final Duration LOAD = Duration.ofSeconds(4);
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
        offer = ServiceProcess.start("offer", Map.of(
                "PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS),
                "JAVA_TOOL_OPTIONS", "-Xmx64m"));
        client = new OfferClient(offer.url());
        // From its first request, as a fresh offer meets it (WarmUp): a healthy partner gives a hot offer.
        assertEquals("partner-answered", client.ask().reason());
        assertEquals("CLOSED", client.circuit().getString("state"));
        timeoutMillis = client.circuit().getLong("timeoutMillis");
    }

    @AfterAll
    void stop() throws Exception {
        ServiceProcess.stopAll(offer, partner);
    }

    @ParameterizedTest
    @EnumSource(names = { "ENDLESS_CHUNKED", "HUGE_CONTENT_LENGTH", "ONE_BYTE_OVER_THE_LIMIT", "GZIP_BOMB", "ENDLESS_HEADERS" })
    void answersColdWhenThePartnerSendsTooMuch(Behaviour behaviour) throws Exception {
        expectColdInTimeAndConnectionsClosed(behaviour, "partner-bad-response");
    }

    @ParameterizedTest
    @EnumSource(names = { "DRIP", "STATUS_THEN_SILENCE" })
    void answersColdWhenThePartnerIsTooSlow(Behaviour behaviour) throws Exception {
        expectColdInTimeAndConnectionsClosed(behaviour, "timeout");
    }

    @Test
    void answersColdWhenThePartnerResetsTheConnectionMidBody() throws Exception {
        expectColdInTimeAndConnectionsClosed(Behaviour.RESET_MID_BODY, "partner-error");
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

    private void expectColdInTimeAndConnectionsClosed(Behaviour behaviour, String reason) throws Exception {
        partner.behave(behaviour);

        List<Answer> answers = underLoad();

        // Every answer is a cold offer: the partner's failure, or the open circuit it caused.
        assertTrue(answers.stream().allMatch(answer -> reason.equals(answer.reason()) || "circuit-open".equals(answer.reason())),
                () -> summary(answers));
        long failures = answers.stream().filter(answer -> reason.equals(answer.reason())).count();
        assertTrue(failures >= 3, () -> "the partner was called: " + summary(answers));
        long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
        assertTrue(slowest <= timeoutMillis + MARGIN_MILLIS, () -> "slowest answer " + slowest + " ms: " + summary(answers));

        // offer lets go of each connection at its timeout or at the body limit, not when the partner stops sending.
        List<Connection> served = await().atMost(Duration.ofMillis(timeoutMillis + MARGIN_MILLIS + 5_000))
                .until(() -> connectionsServing(behaviour), connections -> connections.stream().allMatch(c -> c.closedAt != 0));
        // The partner's own witness: each failed call was one exchange on a connection of its own, closed by offer.
        assertEquals(failures, served.size(), () -> "partner connections for " + failures + " failures: " + served.size());
        for (Connection connection : served) {
            assertTrue(connection.openMillis() <= timeoutMillis + MARGIN_MILLIS,
                    () -> "a " + behaviour + " connection stayed open " + connection.openMillis() + " ms");
        }

        expectNoErrorAndBoundedRss();
        System.out.printf("%s: %s, slowest %d ms; %d partner connections, longest held %d ms; offer RSS %d MiB%n", behaviour,
                summary(answers), slowest, served.size(), served.stream().mapToLong(Connection::openMillis).max().orElseThrow(),
                offer.rssMib());
        partner.behave(Behaviour.HEALTHY);
        awaitHotAndClosed();
    }

    /** CALLERS callers asking offer for an offer, one request after another each, for LOAD. */
    private List<Answer> underLoad() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        long end = System.nanoTime() + LOAD.toNanos();
        try {
            List<Future<List<Answer>>> results = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                results.add(callers.submit(() -> {
                    List<Answer> answers = new ArrayList<>();
                    while (System.nanoTime() < end) {
                        answers.add(client.ask());
                    }
                    return answers;
                }));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<List<Answer>> result : results) {
                answers.addAll(result.get());
            }
            return answers;
        } finally {
            callers.shutdownNow();
        }
    }

    private List<Connection> connectionsServing(Behaviour behaviour) {
        return partner.connections().stream().filter(connection -> connection.behaviour == behaviour).toList();
    }

    private void expectNoErrorAndBoundedRss() {
        assertTrue(offer.isAlive(), "offer is running");
        assertFalse(offer.log().contains("OutOfMemoryError"), "offer ran out of memory");
        // Each failure is logged once, as the fallback's WARN in words; nothing of it is an ERROR.
        assertFalse(offer.log().contains("ERROR ["), () -> "offer logged an ERROR:\n" + offer.log());
        long rss = offer.rssMib();
        assertTrue(rss <= MAX_RSS_MIB, "offer's RSS " + rss + " MiB with -Xmx64m");
    }

    private void awaitHotAndClosed() {
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200))
                .until(() -> "partner-answered".equals(client.ask().reason()) && "CLOSED".equals(client.circuit().getString("state")));
    }

    private static String summary(List<Answer> answers) {
        return answers.size() + " answers: " + answers.stream()
                .collect(Collectors.groupingBy(Answer::reason, Collectors.counting()));
    }
}
