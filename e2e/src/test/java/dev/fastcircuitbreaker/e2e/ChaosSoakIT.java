package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bad day under steady load: while about 100 requests a second go to offer, the real partner-offer process is
 * killed and restarted, and stopped and continued, on a schedule. Every answer must still be a 200 with a hot or cold
 * offer, in bounded time, and some turned away by the open circuit; after the last recovery the circuit must close and
 * serve hot offers, with offer's partner calls growing exactly as partner-offer's own request count; an SSE client of
 * {@code /circuit/events}, connected throughout, must have seen every state change offer logged; offer's threads and
 * memory must not grow without bound. About 2 minutes, 127.0.0.1 only.
 */
class ChaosSoakIT {

    private static final int DELAY_SECONDS = 3;
    private static final int REQUESTS_PER_SECOND = 100;
    private static final Duration LOAD = Duration.ofSeconds(80);
    private static final Pattern STATE_CHANGE = Pattern.compile("changed state from (\\w+) to (\\w+)");

    private OfferClient client;
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();
    private final LongAccumulator slowest = new LongAccumulator(Math::max, 0);
    private final List<String> events = new ArrayList<>();
    private volatile ServiceProcess partner;
    private ServiceProcess offer;

    @AfterEach
    void stopProcesses() throws Exception {
        System.out.println("Chaos timeline: " + String.join(" | ", events));
        ServiceProcess.stopAll(offer, partner);
    }

    @Test
    void answersEveryRequestHotOrColdThroughKillsAndHangs() throws Exception {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of(
                "PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS),
                "JAVA_TOOL_OPTIONS", "-Xmx128m"));
        client = new OfferClient(offer.url());
        List<String> streamed = watchStateChanges();
        // From its first request, as a fresh offer meets it (WarmUp): a healthy partner gives a hot offer.
        askOffer().join();
        assertEquals(1, count("hot"), () -> "offer's first answer: " + answers);
        long answersBefore = total();
        long circuitOpenBefore = reasons.getOrDefault("circuit-open", new AtomicLong()).get();
        Usage warm = usage();

        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        long count = LOAD.toSeconds() * REQUESTS_PER_SECOND;
        try {
            for (long i = 0; i < count; i++) {
                scheduler.schedule(() -> {
                    synchronized (requests) {
                        requests.add(askOffer());
                    }
                }, i * 1_000_000L / REQUESTS_PER_SECOND, TimeUnit.MICROSECONDS);
            }
            chaos(chaos, 8, "kill", () -> partner.kill());
            chaos(chaos, 20, "restart", () -> partner = partner.restart(Map.of()));
            chaos(chaos, 32, "SIGSTOP", () -> partner.pause());
            chaos(chaos, 44, "SIGCONT", () -> partner.resume());
            chaos(chaos, 56, "kill", () -> partner.kill());
            chaos(chaos, 62, "restart", () -> partner = partner.restart(Map.of()));
            chaos(chaos, 70, "SIGSTOP", () -> partner.pause());
            chaos(chaos, 72, "SIGCONT", () -> partner.resume());
            scheduler.shutdown();
            chaos.shutdown();
            assertTrue(scheduler.awaitTermination(LOAD.toSeconds() + 60, TimeUnit.SECONDS), "the load did not finish");
            assertTrue(chaos.awaitTermination(60, TimeUnit.SECONDS), "the chaos schedule did not finish");
            CompletableFuture<?>[] all;
            synchronized (requests) {
                all = requests.toArray(CompletableFuture[]::new);
            }
            CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
        } finally {
            scheduler.shutdownNow();
            chaos.shutdownNow();
        }
        events.add("load done: " + answers);

        assertEquals(count, total() - answersBefore, () -> "answers: " + answers);
        assertEquals(0, answers.getOrDefault("not-an-offer", new AtomicLong()).get(), () -> "answers: " + answers);
        assertTrue(slowest.get() < OfferClient.ANSWER_BOUND_MILLIS, "slowest answer " + slowest.get() + " ms");

        // offer counts its calls from these very answers, so only the partner's own count (below) can witness them.
        long hotAfterLoad = count("hot");
        assertTrue(reasons.getOrDefault("circuit-open", new AtomicLong()).get() > circuitOpenBefore, () -> "the chaos opened"
                + " the circuit: " + reasons);

        // After the last recovery the circuit closes within the delay, plus a margin, and serves hot offers again.
        awaitCircuit("CLOSED", "hot");
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    askOffer().join();
                    return count("hot") > hotAfterLoad;
                });

        // With the partner up, concurrent calls: offer's partnerCalls grow exactly as partner-offer's own request count.
        // Offer lets as many through to the partner at once as its limit says, the others when a place comes free; one that
        // waits too long for it gets offer-busy (OverloadIT).
        // The burst meets the partner restarted last warm, as its callers would.
        partner.awaitReady();
        long partnerServedBefore = ServiceProcess.offersServed(partner.url());
        long partnerCallsBefore = client.circuit().getLong("partnerCalls");
        long hotBeforeBurst = count("hot");
        long busyBeforeBurst = reasons.getOrDefault("offer-busy", new AtomicLong()).get();
        int limit = client.circuit().getInt("limit");
        CompletableFuture.allOf(IntStream.range(0, 200).mapToObj(i -> askOffer())
                .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long hot = count("hot") - hotBeforeBurst;
        long busy = reasons.getOrDefault("offer-busy", new AtomicLong()).get() - busyBeforeBurst;
        assertEquals(200, hot + busy, () -> "every caller of the burst got a hot offer or offer-busy: " + reasons);
        assertTrue(hot >= Math.min(200, limit), () -> "at least the calls offer lets through at once (" + limit + ") got a hot offer: " + reasons);
        // partner-offer records a request once its answer is out: give the last ones a moment, then compare exactly.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(hot,
                ServiceProcess.offersServed(partner.url()) - partnerServedBefore, "requests partner-offer received"));
        assertEquals(hot, client.circuit().getLong("partnerCalls") - partnerCallsBefore, "offer's partnerCalls");

        // One SSE client was connected throughout: it saw every state change offer logged, in the same order.
        List<String> logged = new ArrayList<>();
        Matcher change = STATE_CHANGE.matcher(offer.log());
        while (change.find()) {
            logged.add(change.group(1) + " -> " + change.group(2));
        }
        events.add("state changes streamed: " + streamed.size());
        assertTrue(logged.size() >= 4, "the chaos changed the state: " + logged);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(logged, List.copyOf(streamed),
                "state changes on /circuit/events (text/event-stream) and in offer's log"));

        Usage end = usage();
        events.add("offer threads " + warm.threads() + " -> " + end.threads() + ", RSS MiB " + warm.rssMib() + " -> " + end.rssMib());
        assertTrue(end.threads() <= warm.threads() + 16, "threads grew from " + warm.threads() + " to " + end.threads());
        assertTrue(end.rssMib() < 512, "RSS " + end.rssMib() + " MiB with -Xmx128m");
    }

    /**
     * Connects to offer's {@code /circuit/events} stream and collects each state change it sends, as "FROM -> TO";
     * the list ends with "stream ended" if offer closes the stream.
     */
    private List<String> watchStateChanges() throws Exception {
        List<String> changes = Collections.synchronizedList(new ArrayList<>());
        CircuitEventStream.follow(offer.url(), event -> {
            if ("STATE_CHANGED".equals(event.path("kind").asText())) {
                changes.add(event.path("from").asText() + " -> " + event.path("to").asText());
            }
        }, line -> changes.add("not JSON: " + line), () -> changes.add("stream ended"));
        return changes;
    }

    /** One customer's call, tallied by the kind of answer and the offer's reason. */
    private CompletableFuture<Void> askOffer() {
        return client.askAsync().thenAccept(answer -> {
            slowest.accumulate(answer.millis());
            answers.computeIfAbsent(answer.isOffer() ? answer.type() : "not-an-offer", k -> new AtomicLong()).incrementAndGet();
            if (answer.isOffer()) {
                reasons.computeIfAbsent(answer.reason(), k -> new AtomicLong()).incrementAndGet();
            }
        });
    }

    private void chaos(ScheduledExecutorService scheduler, int atSecond, String what, Runnable action) {
        scheduler.schedule(() -> {
            action.run();
            synchronized (events) {
                events.add(atSecond + "s " + what);
            }
        }, atSecond, TimeUnit.SECONDS);
    }

    private void awaitCircuit(String state, String type) {
        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200)).until(() -> {
            askOffer().join();
            return state.equals(client.circuit().getString("state")) && count(type) > 0;
        });
    }

    private long count(String kind) {
        return answers.getOrDefault(kind, new AtomicLong()).get();
    }

    private long total() {
        return answers.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private record Usage(long threads, long rssMib) {
    }

    private Usage usage() {
        return new Usage(offer.threads(), offer.rssMib());
    }
}
