package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The demo as README gives it without Docker, {@code ./demo.sh --local}; offer's policy from its environment, each number
 * other than the annotations', its delay longer than a partner restart on a busy machine (8 s once was not).
 */
class DemoAsProcessesIT extends DemoScenario {

    private static final Policy POLICY = new Policy(5, 20, 800);
    private static final Path STATE = Compose.ROOT.resolve("target/demo");
    private static final Path LOG = Compose.ROOT.resolve("e2e/target/logs/demo-local.log");
    private static final Pattern PROBLEMS = Pattern.compile(" (ERROR|SEVERE) |Exception");

    private static final Map<String, String> ENV = Map.of("OFFER_PORT", freePort(), "PARTNER_OFFER_PORT", freePort(),
            "MONITOROR_PORT", freePort(), "QUARKUS_HTTP_HOST", "127.0.0.1",
            "CIRCUIT_FAILURES_TO_OPEN", Integer.toString(POLICY.failuresToOpen()),
            "CIRCUIT_DELAY_SECONDS", Integer.toString(POLICY.delaySeconds()),
            "PARTNER_TIMEOUT_MILLIS", Integer.toString(POLICY.timeoutMillis()));
    private Process demo;
    private final List<String> pids = new ArrayList<>();

    DemoAsProcessesIT() {
        super("processes", POLICY, "failed unable to get http://localhost:" + ENV.get("PARTNER_OFFER_PORT") + "/q/health",
                "partner-unreachable");
        offerUrl = "http://localhost:" + ENV.get("OFFER_PORT");
        partnerUrl = "http://localhost:" + ENV.get("PARTNER_OFFER_PORT");
    }

    /** Up means both services ready and warm, and the board started where there is a Monitoror: "[demo] up in". */
    @BeforeAll
    void demoUp() throws IOException {
        Files.createDirectories(LOG.getParent());
        ProcessBuilder builder = new ProcessBuilder("./demo.sh", "--local").directory(Compose.ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        builder.environment().putAll(ENV);
        demo = builder.start();
        await().alias("./demo.sh --local up, see " + LOG).atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .failFast("./demo.sh --local exited, see " + LOG, () -> !demo.isAlive())
                .until(() -> Monitoror.read(LOG).contains("[demo] up in"));
        pids.add(Monitoror.read(STATE.resolve("partner-offer.pid")).strip());
    }

    /** Down leaves nothing running that the demo started (each PID file's, the first partner-offer's); no error logged. */
    @AfterAll
    void demoDown() throws Exception {
        if (demo == null) {
            return;
        }
        try (var files = Files.list(STATE)) {
            files.filter(file -> file.toString().endsWith(".pid")).forEach(file -> pids.add(Monitoror.read(file).strip()));
        }
        demoSh("down");
        boolean ended = demo.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            ServiceProcess.stop(demo); // its own Ctrl-C: it stops what it started
        }
        assertTrue(ended, "./demo.sh --local still ran after ./demo.sh down");
        assertEquals(List.of(), pids.stream().filter(pid -> ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                .isPresent()).toList(), "processes still running after ./demo.sh down");
        // The --local terminal's output: demo.sh's own lines and every service's log.
        assertEquals(List.of(), Monitoror.read(LOG).lines().filter(PROBLEMS.asPredicate()).toList(), "errors logged in the demo");
    }

    /** README's step 7 ends with the latency back to 0: hot again after the delay (the trial of steps 4 and 6; here only). */
    @Test
    @Order(8)
    void partnerFastAgain() {
        slowPartner("0");
        awaitHotOffer();
        expectCircuit("CLOSED", 0);
    }

    @Override
    Monitoror openMonitoror() {
        return Files.exists(STATE.resolve("monitoror.cmd")) ? new Monitoror("http://127.0.0.1:" + ENV.get("MONITOROR_PORT"))
                : SkipReasons.skipOutsideCi("./demo.sh --local ran no Monitoror (" + LOG
                        + "); MONITOROR_BIN is not set (.ci/run sets it)");
    }

    @Override
    void partner(String step) {
        demoSh(step, "partner-offer");
        if (step.equals("pause")) {
            assertTrue(demoSh("status").contains("partner-offer: paused"), "./demo.sh status says partner-offer is paused");
        }
    }

    @Override
    void slowPartner(String latency) {
        demoSh("slow", "partner-offer", latency);
    }

    @Override
    String offerLog() {
        return Monitoror.read(STATE.resolve("offer.log"));
    }

    private String demoSh(String... command) {
        step("./demo.sh " + String.join(" ", command));
        List<String> line = new ArrayList<>(List.of("env"));
        ENV.forEach((name, value) -> line.add(name + "=" + value));
        line.add("./demo.sh");
        line.addAll(List.of(command));
        return Compose.exec(line, Duration.ofMinutes(2));
    }

    private static String freePort() {
        try (ServerSocket free = new ServerSocket(0)) {
            return Integer.toString(free.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
