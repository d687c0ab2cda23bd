package dev.fastcircuitbreaker.e2e;

import static dev.fastcircuitbreaker.e2e.OfferClient.tally;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fastcircuitbreaker.e2e.OfferClient.Answer;

/** A bad day under steady load: the real partner-offer killed, restarted, stopped and continued on a schedule. */
class ChaosSoakIT {

    private static final int DELAY_SECONDS = 3;
    private static final int REQUESTS_PER_SECOND = 100;
    private static final int LOAD_SECONDS = 40;
    private static final Pattern STATE_CHANGE = Pattern.compile("changed state from (\\w+) to (\\w+)");

    private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    private volatile ServiceProcess partner;
    private ServiceProcess offer;

    @AfterEach
    void stopProcesses() throws Exception {
        System.out.println("Chaos timeline: " + String.join(" | ", timeline));
        ServiceProcess.stopAll(offer, partner);
    }

    @Test
    void answersEveryRequestHotOrColdThroughKillsAndHangs() throws Exception {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS), "JAVA_TOOL_OPTIONS", "-Xmx128m"));
        OfferClient client = new OfferClient(offer.url());
        OfferClient.Events events = client.events();
        // From its first request, as a fresh offer meets it: a healthy partner gives a hot offer.
        answers.add(client.ask());
        assertEquals("hot", answers.get(0).type());
        long warmThreads = offer.status("Threads:");
        long warmRssMib = offer.status("VmRSS:") / 1024;

        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
        chaos(chaos, 4, "kill", () -> partner.kill());
        chaos(chaos, 10, "restart", () -> partner = partner.restart(Map.of()));
        chaos(chaos, 16, "SIGSTOP", () -> partner.signal("STOP"));
        chaos(chaos, 22, "SIGCONT", () -> partner.signal("CONT"));
        chaos(chaos, 28, "kill", () -> partner.kill());
        chaos(chaos, 31, "restart", () -> partner = partner.restart(Map.of()));
        chaos(chaos, 35, "SIGSTOP", () -> partner.signal("STOP"));
        chaos(chaos, 36, "SIGCONT", () -> partner.signal("CONT"));
        chaos.shutdown();
        int count = LOAD_SECONDS * REQUESTS_PER_SECOND;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> load = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(start + i * 1_000_000_000L / REQUESTS_PER_SECOND - System.nanoTime());
            load.add(client.askAsync().thenAccept(answers::add));
        }
        assertTrue(chaos.awaitTermination(60, TimeUnit.SECONDS), "the chaos schedule did not finish");
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        timeline.add("load done: " + tally(answers));

        assertEquals(1 + count, answers.size());
        assertTrue(answers.stream().allMatch(Answer::isOffer), () -> "answers: " + tally(answers));
        long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
        assertTrue(slowest < OfferClient.ANSWER_BOUND_MILLIS, "slowest answer " + slowest + " ms");
        assertTrue(tally(answers).containsKey("circuit-open"), () -> "the chaos opened the circuit: " + tally(answers));

        await().atMost(Duration.ofSeconds(DELAY_SECONDS + 15L)).pollInterval(Duration.ofMillis(200))
                .until(() -> "hot".equals(client.ask().type()) && "CLOSED".equals(client.circuit().getString("state")));

        // 200 callers at once on the restarted partner: offer's partnerCalls grow exactly as partner-offer's own count;
        // at least as many as the limit offer lets through at once are hot, the others busy (OverloadIT).
        partner.awaitReady();
        long partnerServedBefore = ServiceProcess.offersServed(partner.url());
        long partnerCallsBefore = client.circuit().getLong("partnerCalls");
        int limit = client.circuit().getInt("limit");
        List<Answer> burst = IntStream.range(0, 200).mapToObj(i -> client.askAsync()).toList().stream()
                .map(CompletableFuture::join).toList();
        Map<String, Long> reasons = tally(burst);
        long hot = reasons.getOrDefault("partner-answered", 0L);
        assertEquals(200, hot + reasons.getOrDefault("offer-busy", 0L), () -> "hot or offer-busy: " + reasons);
        assertTrue(hot >= Math.min(200, limit), () -> "at least the limit (" + limit + ") got a hot offer: " + reasons);
        // partner-offer records a request once its answer is out: give the last ones a moment, then compare exactly.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(hot,
                ServiceProcess.offersServed(partner.url()) - partnerServedBefore, "requests partner-offer received"));
        assertEquals(hot, client.circuit().getLong("partnerCalls") - partnerCallsBefore, "offer's partnerCalls");

        List<String> logged = STATE_CHANGE.matcher(offer.log()).results()
                .map(change -> change.group(1) + " -> " + change.group(2)).toList();
        timeline.add("state changes streamed: " + events.stateChanges.size());
        assertTrue(logged.size() >= 4, "the chaos changed the state: " + logged);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(logged, List.copyOf(events.stateChanges),
                "state changes on /circuit/events (text/event-stream) and in offer's log"));

        long threads = offer.status("Threads:");
        long rssMib = offer.status("VmRSS:") / 1024;
        timeline.add("offer threads " + warmThreads + " -> " + threads + ", RSS MiB " + warmRssMib + " -> " + rssMib);
        assertTrue(threads <= warmThreads + 16, "threads grew from " + warmThreads + " to " + threads);
        assertTrue(rssMib < 512, "RSS " + rssMib + " MiB with -Xmx128m");
    }

    private void chaos(ScheduledExecutorService scheduler, int atSecond, String what, Runnable action) {
        scheduler.schedule(() -> {
            action.run();
            timeline.add(atSecond + "s " + what);
        }, atSecond, TimeUnit.SECONDS);
    }
}
