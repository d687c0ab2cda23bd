package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** offer's breaker against the original demo's library: the walks of {@code e2e/pybreaker} on offer's jar, output printed. */
@Order(1)
class OfferBehavesLikePybreakerIT {

    private static final Path TESTS = Compose.ROOT.resolve("e2e/pybreaker");
    private static final String INSTALL = "python3 -m pip install -r e2e/pybreaker/requirements.txt";
    /** pytest's exit status when it collected no test: the walks skip themselves where the pinned pybreaker is missing. */
    private static final int NO_TESTS = 5;
    /** python3's, when it finds no module pytest. */
    private static final int NO_PYTEST = 1;
    private static final int AT_MOST_MINUTES = 10;

    @Test
    void agreesWithPybreakerOnSeededRandomWalks() throws InterruptedException {
        ProcessBuilder pytest = new ProcessBuilder(System.getenv().getOrDefault("PYTHON", "python3"), "-m", "pytest",
                TESTS.toString(), "-v", "-s").directory(Compose.ROOT.toFile()).redirectErrorStream(true);
        pytest.environment().putAll(Map.of("OFFER_JAVA", ProcessHandle.current().info().command().orElse("java"),
                "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1"));
        Process process;
        try {
            process = pytest.start();
        } catch (IOException noPython) {
            SkipReasons.skipOutsideCi(pytest.command().get(0) + " is not on the PATH (or set PYTHON); then " + INSTALL);
            return;
        }
        // Through System.out: the forked test JVM's own stdout is Failsafe's channel.
        StringBuilder output = new StringBuilder();
        Thread printer = new Thread(() -> process.inputReader(StandardCharsets.UTF_8).lines().forEach(line -> {
            System.out.println(line);
            output.append(line).append('\n');
        }));
        printer.start();
        if (!process.waitFor(AT_MOST_MINUTES, TimeUnit.MINUTES)) {
            ServiceProcess.killTree(process); // pytest and the offers it started
            throw new AssertionError("the walks took more than " + AT_MOST_MINUTES + " minutes");
        }
        printer.join();
        if (process.exitValue() == NO_TESTS
                || process.exitValue() == NO_PYTEST && output.indexOf("No module named pytest") >= 0) {
            SkipReasons.skipOutsideCi("pytest and the pinned pybreaker wanted (see above): " + INSTALL);
        }
        assertEquals(0, process.exitValue(), "offer and pybreaker differ, or the walks fell short: see pytest's output above");
    }
}
