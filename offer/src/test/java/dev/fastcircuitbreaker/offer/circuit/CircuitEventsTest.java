package dev.fastcircuitbreaker.offer.circuit;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.askOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.circuit;
import static dev.fastcircuitbreaker.offer.OfferApi.circuitState;
import static dev.fastcircuitbreaker.offer.OfferApi.closeCircuit;
import static dev.fastcircuitbreaker.offer.OfferApi.expectColdOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectHotOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerFailsWith;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerIsHealthy;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerRequests;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.OfferApi;
import dev.fastcircuitbreaker.offer.PartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.common.mapper.TypeRef;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * {@code /circuit/events}: the breaker's story in order, kept and streamed, bounded whatever the load or the client.
 * The application is shared with the other tests: each test reads only the events that came after its own start.
 */
@QuarkusTest
@WithTestResource(PartnerDouble.class)
class CircuitEventsTest {

    @InjectPartnerDouble
    WireMockServer partner;

    @Inject
    CircuitEvents events;

    @Inject
    CircuitEventsResource resource;

    @Inject
    CircuitBreakerMaintenance maintenance;

    @TestHTTPResource("/circuit/events")
    URI eventsUri;

    @BeforeEach
    void closedCircuitAndHealthyPartner() {
        closeCircuit(partner);
    }

    /** /circuit keeps no state of its own: closed through SmallRye's API, behind offer's back, it shows CLOSED. */
    @Test
    void showsTheBreakersOwnStateWhenItIsClosedThroughSmallRye() {
        partnerFailsWith(partner, 500);
        for (int i = 0; i < 3; i++) {
            expectColdOffer("partner-error");
        }
        assertEquals("OPEN", circuitState());
        maintenance.reset(PartnerOfferClient.CIRCUIT);

        JsonPath circuit = circuit();
        assertEquals("CLOSED", circuit.getString("state"));
        assertFalse(circuit.getMap("").containsKey("nextTrialAt"), "no next trial while CLOSED");
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'partner-offer-circuit' }.data.state", equalTo("CLOSED"));
        partnerIsHealthy(partner);
        expectHotOffer();
        assertEquals(1, partnerRequests(partner), "the partner is called again");
    }

    @Test
    void tellsTheStoryInOrder() {
        List<Map<String, Object>> before = keptEvents();
        partnerFailsWith(partner, 500);

        // A loaded machine may turn a failure into a timeout: the events must give the reasons the answers gave.
        List<String> reasons;
        try (OfferLog log = new OfferLog()) {
            reasons = List.of(coldReason(), coldReason(), coldReason());
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream().anyMatch(line -> line.contains("to OPEN")));
            List<String> lines = log.lines();
            assertEquals(4, lines.size(), lines::toString);
            assertTrue(lines.get(3).endsWith("changed state from CLOSED to OPEN"), "the third failure's warning first: " + lines);
        }
        assertEquals(3, partnerRequests(partner), "the three failures reached the partner");
        String nextTrialAt = circuit().getString("nextTrialAt");
        partner.resetRequests();
        expectColdOffer("circuit-open");
        assertEquals(0, partnerRequests(partner), "the call while OPEN was turned away");
        partnerIsHealthy(partner);
        await().atMost(Duration.ofSeconds(10)).until(() -> "HALF_OPEN".equals(circuitState()));
        expectHotOffer();
        assertEquals(1, partnerRequests(partner), "the trial");

        List<Map<String, Object>> story = await().atMost(Duration.ofSeconds(5))
                .until(() -> eventsSince(before), events -> !events.isEmpty() && isStateChange(last(events), "CLOSED"));
        // Successes of the calls that closed the circuit before this test may come first.
        story = story.subList(kinds(story).indexOf("FAILURE"), story.size());
        assertEquals(List.of("FAILURE", "FAILURE", "FAILURE", "STATE_CHANGED", "REJECTED", "STATE_CHANGED", "SUCCESS",
                "STATE_CHANGED"), kinds(story), story::toString);
        assertInTimeOrder(story);
        for (int i = 0; i < 3; i++) {
            assertEquals(reasons.get(i), story.get(i).get("reason"));
            assertEquals(i + 1, story.get(i).get("failures"));
        }
        assertStateChange(story.get(3), "CLOSED", "OPEN", 3);
        assertEquals(nextTrialAt, story.get(3).get("nextTrialAt"), "the nextTrialAt /circuit showed");
        assertEquals(1, story.get(4).get("count"), "the one call turned away");
        assertStateChange(story.get(5), "OPEN", "HALF_OPEN", 3);
        // Less a little: the breaker reads its clock just before offer does.
        assertFalse(at(story.get(5)).isBefore(Instant.parse(nextTrialAt).minusMillis(50)), "HALF_OPEN at nextTrialAt");
        assertEquals(1, story.get(6).get("count"), "the trial");
        assertStateChange(story.get(7), "HALF_OPEN", "CLOSED", 0);
    }

    @Test
    void tellsTheFailuresBeforeTheOpeningWhenThePartnerHangs() {
        List<Map<String, Object>> before = keptEvents();
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withFixedDelay(1500));

        expectColdOffer("timeout");
        expectColdOffer("timeout");
        expectColdOffer("timeout");

        List<Map<String, Object>> story = await().atMost(Duration.ofSeconds(5))
                .until(() -> eventsSince(before), events -> !events.isEmpty() && isStateChange(last(events), "OPEN"));
        story = story.subList(kinds(story).indexOf("FAILURE"), story.size());
        assertEquals(List.of("FAILURE", "FAILURE", "FAILURE", "STATE_CHANGED"), kinds(story), story::toString);
        assertInTimeOrder(story);
        assertEquals(List.of("timeout", "timeout", "timeout"), story.subList(0, 3).stream().map(e -> e.get("reason")).toList());
        assertStateChange(story.get(3), "CLOSED", "OPEN", 3);
    }

    @Test
    void streamsTheKeptEventsThenNewOnes() throws Exception {
        partnerFailsWith(partner, 503);
        coldReason();
        List<Map<String, Object>> kept = keptEvents();

        try (EventStream stream = EventStream.open(eventsUri)) {
            for (Map<String, Object> event : kept) {
                assertEquals(event, stream.next("circuit-event"), "the kept events first, in order");
            }
            String reason = coldReason();

            Map<String, Object> failure = stream.next("circuit-event");
            assertEquals("FAILURE", failure.get("kind"));
            assertEquals(reason, failure.get("reason"));
            assertEquals(2, failure.get("failures"), "the two failing calls this test made");
            Map<String, Object> snapshot = stream.next("circuit");
            assertEquals("partner-offer", snapshot.get("name"));
            assertEquals(2, snapshot.get("failures"));
        }
    }

    @Test
    void summarisesThousandsOfRejectedCalls() throws Exception {
        partnerFailsWith(partner, 500);
        for (int i = 0; i < 3; i++) {
            coldReason();
        }
        // Open, or already past its short test delay on a slow machine: the partner keeps failing, so a trial reopens it.
        await().atMost(Duration.ofSeconds(15)).until(() -> !"CLOSED".equals(circuitState()));
        List<Map<String, Object>> before = keptEvents();
        partner.resetRequests();
        Instant start = Instant.now();

        HttpClient client = HttpClient.newHttpClient();
        HttpRequest offerRequest = HttpRequest.newBuilder(eventsUri.resolve("/offers")).build();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        int calls = 3000;
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                answers.add(callers.submit(() -> client.send(offerRequest, HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            callers.shutdownNow();
        }
        long seconds = Duration.between(start, Instant.now()).toSeconds() + 1;
        // The open circuit lets a trial through every delay (3 s here); the partner double counts those.
        long turnedAway = calls - partnerRequests(partner);

        List<Map<String, Object>> summaries = await().atMost(Duration.ofSeconds(5)).until(
                () -> ofKind(eventsSince(before), "REJECTED"), found -> total(found) == turnedAway);
        List<Map<String, Object>> others = eventsSince(before).stream().filter(e -> !"REJECTED".equals(e.get("kind")))
                .toList();
        assertTrue(turnedAway > 1000, "most calls turned away: " + turnedAway);
        // One summary a second, and one more for each event they must not be told after (the delay is short here).
        assertTrue(summaries.size() <= seconds + 1 + others.size(),
                summaries.size() + " summaries in " + seconds + " s, around " + others);
        assertTrue(keptEvents().size() <= CircuitEvents.KEPT);
    }

    @Test
    void dropsAStalledStreamClientWithoutGrowingMemory() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> resource.clients() == 0);
        long heapBefore = usedHeapAfterGc();
        try (Socket stalled = new Socket(eventsUri.getHost(), eventsUri.getPort());
                EventStream reading = EventStream.counting(eventsUri)) {
            OutputStream request = stalled.getOutputStream();
            request.write(("GET /circuit/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> resource.clients() == 2);
            int kept = keptEvents().size();

            // In steps a reading client keeps up with; the stalled one, which never reads, falls behind once the
            // socket buffers are full (a few MB), and must then be dropped.
            int sent = 0;
            while (resource.clients() == 2 && sent < 200_000) {
                for (int i = 0; i < 100; i++) {
                    events.tell(at -> CircuitEvents.Event.failure(at, Offer.Reason.PARTNER_ERROR, 1));
                }
                sent += 100;
                int expected = kept + sent;
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                        .until(() -> reading.received("circuit-event") >= expected);
            }
            System.out.println("The stalled client was dropped after " + sent + " events");

            assertTrue(hungUpOn(stalled), "offer closed the stalled client's connection");
            int received = reading.received("circuit-event");
            events.tell(at -> CircuitEvents.Event.failure(at, Offer.Reason.PARTNER_ERROR, 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> reading.received("circuit-event") > received);
            long grown = usedHeapAfterGc() - heapBefore;
            assertTrue(grown < 32 * 1024 * 1024, "heap grew by " + grown + " bytes");
        }
    }

    @Test
    void givesExactlyTheLimitOfStreamsToABurstOfClients() throws Exception {
        // Clients of the tests before may still be on their way out.
        await().atMost(Duration.ofSeconds(10)).until(() -> resource.clients() == 0);
        int burst = CircuitEventsResource.MAX_CLIENTS + 10;
        ExecutorService clients = Executors.newFixedThreadPool(burst);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<Stream<String>>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < burst; i++) {
                answers.add(clients.submit(() -> {
                    start.await();
                    return EventStream.HTTP.send(HttpRequest.newBuilder(eventsUri).header("Accept", "text/event-stream")
                            .build(), HttpResponse.BodyHandlers.ofLines());
                }));
            }
            start.countDown();
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<HttpResponse<Stream<String>>> answer : answers) {
                statuses.merge(answer.get().statusCode(), 1, Integer::sum);
            }
            assertEquals(Map.of(200, CircuitEventsResource.MAX_CLIENTS, 503, 10), statuses);
            for (Future<HttpResponse<Stream<String>>> answer : answers) {
                if (answer.get().statusCode() == 503) {
                    assertEquals(503, JsonPath.from(String.join("", answer.get().body().toList())).getInt("status"));
                }
            }
        } finally {
            for (Future<HttpResponse<Stream<String>>> answer : answers) {
                answer.get().body().close();
            }
            clients.shutdownNow();
        }
        // Each stream that ended gave its place back.
        await().atMost(Duration.ofSeconds(10)).until(() -> resource.clients() == 0);
        try (EventStream again = EventStream.open(eventsUri)) {
            again.next("circuit");
        }
    }

    private static String coldReason() {
        return askOffer().body("type", equalTo("cold")).extract().path("reason");
    }

    /** Whether offer closed this connection: what it sent ends, or the connection was reset, within 10 s. */
    private static boolean hungUpOn(Socket socket) throws IOException {
        Instant deadline = Instant.now().plusSeconds(10);
        socket.setSoTimeout(1000);
        InputStream received = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        while (Instant.now().isBefore(deadline)) {
            try {
                if (received.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException quiet) {
                // Nothing came this second: look again until the deadline.
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<Map<String, Object>> keptEvents() {
        return given().accept("application/json").get("/circuit/events").then().statusCode(200).extract()
                .as(new TypeRef<>() {
                });
    }

    /** The events kept now that came after the last of {@code before}. */
    private static List<Map<String, Object>> eventsSince(List<Map<String, Object>> before) {
        List<Map<String, Object>> now = keptEvents();
        if (before.isEmpty()) {
            return now;
        }
        int last = now.lastIndexOf(last(before));
        assertTrue(last >= 0 || now.size() < CircuitEvents.KEPT, "the events kept rolled over");
        return now.subList(last + 1, now.size());
    }

    private static Map<String, Object> last(List<Map<String, Object>> events) {
        return events.get(events.size() - 1);
    }

    private static Instant at(Map<String, Object> event) {
        return Instant.parse((String) event.get("at"));
    }

    /** The story is told as it happened: each event's {@code at} no earlier than the one before. */
    private static void assertInTimeOrder(List<Map<String, Object>> story) {
        for (int i = 1; i < story.size(); i++) {
            assertFalse(at(story.get(i)).isBefore(at(story.get(i - 1))), "in time order: " + story);
        }
    }

    private static boolean isStateChange(Map<String, Object> event, String to) {
        return "STATE_CHANGED".equals(event.get("kind")) && to.equals(event.get("to"));
    }

    private static void assertStateChange(Map<String, Object> event, String from, String to, int failures) {
        assertEquals("STATE_CHANGED", event.get("kind"), event::toString);
        assertEquals(from, event.get("from"), event::toString);
        assertEquals(to, event.get("to"), event::toString);
        assertEquals(failures, event.get("failures"), event::toString);
        assertEquals("OPEN".equals(to), event.containsKey("nextTrialAt"), event::toString);
    }

    private static List<String> kinds(List<Map<String, Object>> events) {
        return events.stream().map(event -> (String) event.get("kind")).toList();
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> events, String kind) {
        return events.stream().filter(event -> kind.equals(event.get("kind"))).toList();
    }

    private static long total(List<Map<String, Object>> summaries) {
        return summaries.stream().mapToLong(event -> ((Number) event.get("count")).longValue()).sum();
    }

    /** A Server-Sent Events client: reads {@code event:} and {@code data:} lines as they come. */
    static final class EventStream implements AutoCloseable {

        static final HttpClient HTTP = HttpClient.newHttpClient();

        private final BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        private final Stream<String> lines;
        private final boolean keeps;

        private EventStream(Stream<String> lines, boolean keeps) {
            this.lines = lines;
            this.keeps = keeps;
            Thread reader = new Thread(this::read, "sse-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** A client that keeps what it reads, for {@link #next(String)}. */
        static EventStream open(URI uri) throws IOException, InterruptedException {
            return open(uri, true);
        }

        /** A client that only counts what it reads, holding no memory in the test's (and offer's) heap. */
        static EventStream counting(URI uri) throws IOException, InterruptedException {
            return open(uri, false);
        }

        private static EventStream open(URI uri, boolean keeps) throws IOException, InterruptedException {
            HttpResponse<Stream<String>> response = HTTP.send(
                    HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            return new EventStream(response.body(), keeps);
        }

        private void read() {
            String[] name = { null };
            try {
                lines.forEach(line -> {
                    if (line.startsWith("event:")) {
                        name[0] = line.substring("event:".length()).strip();
                    } else if (line.startsWith("data:")) {
                        if (keeps) {
                            received.add(new String[] { name[0], line.substring("data:".length()).strip() });
                        }
                        counts.computeIfAbsent(name[0], any -> new AtomicInteger()).incrementAndGet();
                    }
                });
            } catch (RuntimeException closed) {
                // The test closed the stream.
            }
        }

        /** How many events named {@code name} came so far. */
        int received(String name) {
            AtomicInteger count = counts.get(name);
            return count == null ? 0 : count.get();
        }

        /** The next event named {@code name}, skipping others; fails after 5 s. */
        Map<String, Object> next(String name) throws InterruptedException {
            Instant deadline = Instant.now().plusSeconds(5);
            while (Instant.now().isBefore(deadline)) {
                String[] event = received.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && name.equals(event[0])) {
                    return JsonPath.from(event[1]).getMap("");
                }
            }
            return fail("no " + name + " event within 5 s");
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    /** offer's log lines about the breaker (the fallback's warnings, the state changes), as offer writes them. */
    static final class OfferLog extends Handler implements AutoCloseable {

        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Logger fallback = Logger.getLogger(PartnerOfferClient.class.getName());
        private final Logger circuit = Logger.getLogger(PartnerCircuit.class.getName());
        private final Level fallbackLevel = fallback.getLevel();

        OfferLog() {
            // The tests mute the fallback's warnings (application.properties): heard here, kept off the console.
            fallback.setLevel(Level.WARNING);
            fallback.setUseParentHandlers(false);
            fallback.addHandler(this);
            circuit.addHandler(this);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            lines.add(record.getLevel() + " " + message);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            circuit.removeHandler(this);
            fallback.removeHandler(this);
            fallback.setUseParentHandlers(true);
            fallback.setLevel(fallbackLevel);
        }
    }
}
