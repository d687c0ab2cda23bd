import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import io.smallrye.faulttolerance.core.FaultToleranceContext;
import io.smallrye.faulttolerance.core.Future;
import io.smallrye.faulttolerance.core.circuit.breaker.CircuitBreaker;
import io.smallrye.faulttolerance.core.stopwatch.SystemStopwatch;
import io.smallrye.faulttolerance.core.timer.ThreadTimer;
import io.smallrye.faulttolerance.core.util.ExceptionDecision;

/**
 * SmallRye Fault Tolerance's CircuitBreaker alone, as offer uses it (requestVolumeThreshold 3, failureRatio 1.0):
 * THREADS threads call it for HOT_SECONDS with the partner up (CLOSED), the partner goes down, 3 failures open it, and
 * the threads call it for OPEN_SECONDS more (each call rejected with CircuitBreakerOpenException, delay long enough
 * for no trial). Counts JFR's jdk.Deoptimization events in each phase and names the most frequent traps.
 */
public class Repro {

    static volatile boolean partnerUp = true;
    static volatile boolean running;

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("threads", 2);
        int hotSeconds = Integer.getInteger("hotSeconds", 20);
        int openSeconds = Integer.getInteger("openSeconds", 20);
        ThreadTimer timer = new ThreadTimer(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "timer");
            t.setDaemon(true);
            return t;
        }));
        CircuitBreaker<String> breaker = new CircuitBreaker<>(ctx -> ctx.call(), "partner-offer",
                ExceptionDecision.ALWAYS_FAILURE, 3_600_000, 3, 1.0, 1, SystemStopwatch.INSTANCE, timer);

        if (Boolean.getBoolean("profileDuringHot")) {
            // As bench/ANALYSIS.md's first profile did: JFR's "profile" settings started in the middle of the hot phase.
            phase("CLOSED", breaker, threads, hotSeconds / 2);
            new Recording(jdk.jfr.Configuration.getConfiguration("profile")).start();
            phase("CLOSED, profiled", breaker, threads, hotSeconds / 2);
        } else {
            phase("CLOSED", breaker, threads, hotSeconds);
        }
        partnerUp = false;
        for (int i = 0; i < 3; i++) {
            call(breaker);
        }
        System.out.println("breaker state after 3 failures: " + (breaker.currentState() == CircuitBreaker.STATE_OPEN ? "OPEN" : breaker.currentState()));
        phase("OPEN", breaker, threads, openSeconds);
        System.exit(0);
    }

    static boolean call(CircuitBreaker<String> breaker) {
        FaultToleranceContext<String> ctx = new FaultToleranceContext<>(
                () -> partnerUp ? Future.of("hot") : Future.ofError(new IOException("partner down")), false);
        Future<String> result = breaker.apply(ctx);
        return result.isComplete() && !hasError(result);
    }

    static boolean hasError(Future<String> result) {
        try {
            result.awaitBlocking();
            return false;
        } catch (Throwable e) {
            return true;
        }
    }

    static void phase(String name, CircuitBreaker<String> breaker, int threads, int seconds) throws Exception {
        LongAdder calls = new LongAdder();
        Path file = Files.createTempFile("repro-" + name, ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.Deoptimization");
            recording.start();
            running = true;
            Thread[] workers = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = new Thread(() -> {
                    while (running) {
                        call(breaker);
                        calls.increment();
                    }
                });
                workers[i].start();
            }
            Thread.sleep(seconds * 1000L);
            running = false;
            for (Thread worker : workers) {
                worker.join();
            }
            recording.stop();
            recording.dump(file);
        }
        Map<String, Integer> traps = new TreeMap<>();
        int deopts = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            // The file holds the events of every recording running in that time: keep this one's.
            if (!event.getEventType().getName().equals("jdk.Deoptimization")) {
                continue;
            }
            deopts++;
            jdk.jfr.consumer.RecordedMethod method = event.getValue("method");
            String where = method == null ? "?" : method.getType().getName() + "." + method.getName();
            traps.merge(where + " line " + event.getValue("lineNumber") + " " + event.getValue("instruction") + " "
                    + event.getValue("reason") + " action " + event.getValue("action"), 1, Integer::sum);
        }
        Files.delete(file);
        long n = calls.sum();
        System.out.printf("%s: %d calls in %d s, %d deoptimizations (%.6f per call)%n", name, n, seconds, deopts,
                n == 0 ? 0.0 : (double) deopts / n);
        traps.entrySet().stream().sorted(Map.Entry.<String, Integer> comparingByValue().reversed()).limit(3)
                .forEach(e -> System.out.println("  " + e.getValue() + " " + e.getKey()));
    }
}
