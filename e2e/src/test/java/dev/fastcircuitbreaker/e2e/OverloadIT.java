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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Offer's own overload is no failure of the partner's. With the packaged partner-offer healthy (its own metrics count
 * its requests), {@value #BURST} callers, each on a connection of its own, ask the packaged offer at once, far more
 * than it lets through to the partner. Every caller gets a 200 within the timeout plus {@value #MARGIN_MILLIS} ms, hot
 * or {@code offer-busy}; the circuit stays CLOSED (an SSE client of {@code /circuit/events}, connected throughout,
 * sees no state change) and counts no partner failure; each busy answer is counted as shed, by {@code /circuit}, the
 * event stream and SmallRye's bulkhead metrics, exactly as the callers received them. With the partner down, the same
 * offer still opens the circuit after 3 failures.
 */
class OverloadIT {

    private static final int BURST = 2048;
    private static final long MARGIN_MILLIS = 100;
    private static final int WARM_UP_BURSTS = 20;
    /** As many callers at once as offer lets through to the partner: no overload. */
    private static final int ORDINARY = 32;
    private static final int WARM_UP_ROUNDS = 200;

    // The callers: one connection each, kept alive from one burst to the next, on two event loops (the machine's cores).
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpClient callers = vertx.createHttpClient(new HttpClientOptions(),
            new PoolOptions().setHttp1MaxSize(BURST));
    private final ObjectMapper json = new ObjectMapper();
    private ServiceProcess partner;
    private ServiceProcess offer;

    @AfterEach
    void stop() throws Exception {
        // The callers hang up first, so that offer does not stop with thousands of connections open.
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ServiceProcess.stopAll(offer, partner);
    }

    @Test
    void overloadIsAnsweredBusyAtOnceAndNeverOpensTheCircuit() throws Exception {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url()));
        EventsSeen events = watchEvents();
        long timeoutMillis = circuit().getLong("timeoutMillis");
        // Both just-started JVMs run their code in the interpreter, where 32 first calls at once take longer than the
        // timeout (docs/hostile-input.md, "a JVM's first seconds"). So the services take ordinary traffic first, rising
        // from one caller to as many as offer lets through to the partner, as a service does before a peak.
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            burst(Math.min(round, ORDINARY));
        }
        // Then bursts of the full size, all overload and counted as such below: the callers open their connections,
        // which they keep (HTTP keep-alive) for the burst that is measured. Opening 2,048 TCP connections at once costs
        // both sides on these 2 cores about a second, and is not what the bound is about: offer's answer to callers.
        for (int i = 0; i < WARM_UP_BURSTS; i++) {
            burst(BURST);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> "partner-answered".equals(ask().join().reason()));
        JsonPath before = circuit();
        long partnerBefore = ServiceProcess.offersServed(partner.url());
        long rejectedBefore = bulkheadRejections();
        int logBefore = offer.log().length();

        List<Answer> answers = burst(BURST);

        Map<String, Long> reasons = new TreeMap<>();
        answers.forEach(answer -> reasons.merge(answer.status() + " " + answer.reason(), 1L, Long::sum));
        long hot = reasons.getOrDefault("200 partner-answered", 0L);
        long busy = reasons.getOrDefault("200 offer-busy", 0L);
        assertEquals(BURST, hot + busy, "every caller got a 200, hot or offer-busy: " + reasons);
        assertTrue(busy > 0, "callers over the limit are answered offer-busy: " + reasons);
        Map<String, Long> slowest = new TreeMap<>();
        answers.forEach(answer -> slowest.merge(answer.reason(), answer.millis(), Math::max));
        List<String> late = IntStream.range(0, answers.size())
                .filter(i -> answers.get(i).millis() > timeoutMillis + MARGIN_MILLIS)
                .mapToObj(i -> "#" + i + " " + answers.get(i)).toList();
        assertEquals(List.of(), late, () -> "answers later than " + (timeoutMillis + MARGIN_MILLIS) + " ms (the slowest, in ms: " + slowest + ")");

        JsonPath after = circuit();
        assertEquals("CLOSED", after.getString("state"));
        assertEquals(before.getLong("partnerFailures"), after.getLong("partnerFailures"), "no partner failure counted");
        assertEquals(before.getLong("rejected"), after.getLong("rejected"), "none turned away by the circuit");
        assertEquals(busy, after.getLong("shed") - before.getLong("shed"), "/circuit's shed, as the callers got offer-busy");
        assertEquals(busy, bulkheadRejections() - rejectedBefore, "SmallRye's ft_bulkhead_calls_total rejected");
        assertEquals(hot, ServiceProcess.offersServed(partner.url()) - partnerBefore, "the partner's own count of the hot offers it served");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.shed() == after.getLong("shed"));
        assertEquals(List.of(), events.stateChanges(), "state changes on /circuit/events");
        String logged = offer.log().substring(logBefore);
        assertFalse(logged.contains("WARN"), "no partner-failure warning in offer's log:\n" + logged);
    }

    @Test
    void partnerDownStillOpensTheCircuitAfterThreeFailures() throws Exception {
        int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", "http://127.0.0.1:" + closedPort));
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reasons.add(ask().join().reason());
        }
        assertEquals(List.of("partner-unreachable", "partner-unreachable", "partner-unreachable", "circuit-open"), reasons);
        assertEquals("OPEN", circuit().getString("state"));
        assertEquals(0, circuit().getLong("shed"));
    }

    /** {@code count} requests at once, each answer with its status, reason and time as the caller measured it. */
    private List<Answer> burst(int count) {
        List<CompletableFuture<Answer>> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            calls.add(ask());
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        return calls.stream().map(CompletableFuture::join).toList();
    }

    private CompletableFuture<Answer> ask() {
        long start = System.nanoTime();
        RequestOptions request = new RequestOptions().setAbsoluteURI(offer.url() + "/offers").setIdleTimeout(20_000);
        return callers.request(request)
                .compose(sent -> sent.send().compose(response -> response.body()
                        .map(body -> new Answer(response.statusCode(), reason(body), millisSince(start)))))
                .otherwise(failure -> new Answer(0, failure.toString(), millisSince(start)))
                .toCompletionStage().toCompletableFuture();
    }

    private String reason(Buffer body) {
        try {
            return json.readTree(body.getBytes()).path("reason").asText();
        } catch (IOException e) {
            return "not JSON";
        }
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
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

    /** SmallRye's own count of the calls OfferDesk's bulkhead turned away, from offer's {@code /q/metrics}. */
    private long bulkheadRejections() {
        String metrics = given().baseUri(offer.url()).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith("ft_bulkhead_calls_total{") && line.contains("bulkheadResult=\"rejected\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
