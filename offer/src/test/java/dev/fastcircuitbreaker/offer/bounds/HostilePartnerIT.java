package dev.fastcircuitbreaker.offer.bounds;

import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fastcircuitbreaker.offer.OfferApi;
import dev.fastcircuitbreaker.offer.PackagedOffer;
import dev.fastcircuitbreaker.offer.bounds.HostilePartner.Behaviour;
import dev.fastcircuitbreaker.offer.bounds.HostilePartner.Connection;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * A partner that misbehaves at the socket level must not hurt offer: the packaged offer, on the small heap
 * {@code quarkus.test.arg-line} gives it, takes {@value #CALLERS} callers asking one after another for
 * {@value #LOAD_SECONDS} s per behaviour (docs/hostile-input.md).
 */
@QuarkusIntegrationTest
@WithTestResource(HostilePartnerIT.Partner.class)
class HostilePartnerIT {

    private static final int CALLERS = 16;
    private static final int LOAD_SECONDS = 4;
    /** Short, so that each behaviour meets a few trial calls besides the first burst of 16. */
    private static final int DELAY_SECONDS = 1;
    /** offer's answers, and its hold on a partner connection, may exceed the timeout by this much on a busy machine. */
    private static final long MARGIN_MILLIS = 1_500;
    private static final long MAX_RSS_MIB = 320;
    private static final String DELAY = "quarkus.fault-tolerance.\"dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer\""
            + ".circuit-breaker.delay";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long timeoutMillis;

    HostilePartner partner;

    /** The hostile partner, and offer's circuit delay set to {@value #DELAY_SECONDS} s. */
    public static class Partner implements QuarkusTestResourceLifecycleManager {

        private HostilePartner partner;

        @Override
        public Map<String, String> start() {
            partner = new HostilePartner(Behaviour.HEALTHY, 0);
            // %test, as application.properties sets the delay for the tests.
            return Map.of("quarkus.rest-client.partner-offer.url", partner.url(),
                    "%test." + DELAY, Integer.toString(DELAY_SECONDS));
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(partner, new TestInjector.MatchesType(HostilePartner.class));
        }

        @Override
        public void stop() {
            try {
                partner.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Answer(String reason, long millis) {
    }

    @BeforeEach
    void freshOfferOnASmallHeap() throws Exception {
        if (timeoutMillis == 0) {
            assertTrue(PackagedOffer.arguments().contains("-Xmx64m"), () -> "offer on -Xmx64m: " + PackagedOffer.arguments());
            OfferApi.awaitReady();
            // From its first request, as a fresh offer meets it: a healthy partner gives a hot offer.
            assertEquals("partner-answered", ask().reason());
            assertEquals("CLOSED", OfferApi.circuitState());
            assertEquals(DELAY_SECONDS, OfferApi.circuit().getLong("delaySeconds"));
            timeoutMillis = OfferApi.circuit().getLong("timeoutMillis");
        }
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

        assertTrue(PackagedOffer.process().isAlive(), "offer is running");
        String log = PackagedOffer.log();
        assertFalse(log.contains("OutOfMemoryError"), "offer ran out of memory");
        // Each failure is logged once, as the fallback's WARN; nothing of it is an ERROR.
        assertFalse(log.contains("ERROR ["), () -> "offer logged an ERROR:\n" + log);
        long rss = PackagedOffer.status("VmRSS:") / 1024;
        assertTrue(rss <= MAX_RSS_MIB, "offer's RSS " + rss + " MiB with -Xmx64m");
        System.out.printf("%s: %s, slowest %d ms; %d partner connections, longest held %d ms; offer RSS %d MiB%n",
                behaviour, summary(answers), slowest, served.size(), longestHeld, rss);

        partner.behave(Behaviour.HEALTHY);
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200))
                .until(() -> "partner-answered".equals(ask().reason()) && "CLOSED".equals(OfferApi.circuitState()));
    }

    @Test
    void answersHotWhenThePartnersAnswerIsExactlyTheBodyLimit() throws Exception {
        partner.behave(Behaviour.EXACTLY_THE_LIMIT);

        List<Answer> answers = underLoad();

        assertTrue(answers.stream().allMatch(answer -> "partner-answered".equals(answer.reason())), () -> summary(answers));
        assertEquals("CLOSED", OfferApi.circuitState());
        assertEquals(0, OfferApi.circuit().getInt("failures"));
        partner.behave(Behaviour.HEALTHY);
    }

    /** Every answer of {@value #CALLERS} callers asking one after another for {@value #LOAD_SECONDS} s. */
    private static List<Answer> underLoad() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(LOAD_SECONDS).toNanos();
        Callable<List<Answer>> caller = () -> {
            List<Answer> answers = new ArrayList<>();
            while (System.nanoTime() < end) {
                answers.add(ask());
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

    /** One {@code GET /offers}: the offer's reason (or the status, if no 200 came), and the time it took. */
    private static Answer ask() throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/offers"))
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String reason = response.statusCode() == 200 ? JSON.readTree(response.body()).path("reason").asText("no reason")
                : "status " + response.statusCode();
        return new Answer(reason, millis);
    }

    private static String summary(List<Answer> answers) {
        return answers.size() + " answers: " + answers.stream().collect(groupingBy(Answer::reason, counting()));
    }
}
