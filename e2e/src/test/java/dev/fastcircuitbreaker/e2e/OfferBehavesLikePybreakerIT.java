package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * offer's breaker against the original demo's own library: the differential walks of {@code e2e/pybreaker} (pytest,
 * with pybreaker as {@code e2e/pybreaker/requirements.txt} pins it) against offer's packaged jar, their output printed.
 * Without Python, pytest or the pinned pybreaker it is skipped with the reason printed; in CI it fails.
 */
@Order(1)
class OfferBehavesLikePybreakerIT {

    private static final Path TESTS = Compose.ROOT.resolve("e2e/pybreaker");
    private static final String INSTALL = "run python3 -m pip install -r e2e/pybreaker/requirements.txt";
    /** pytest's "no tests were collected". */
    private static final int NO_TESTS = 5;
    private static final int AT_MOST_MINUTES = 10;

    @Test
    void agreesWithPybreakerOnSeededRandomWalks() throws IOException, InterruptedException {
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        String pinned = Files.readAllLines(TESTS.resolve("requirements.txt")).stream()
                .filter(line -> line.startsWith("pybreaker=="))
                .map(line -> line.substring("pybreaker==".length()).strip()).findFirst().orElseThrow();
        String installed;
        try {
            installed = lastLine(new ProcessBuilder(python, "-c", "import importlib.metadata as m, pybreaker, pytest;"
                    + " print(m.version('pybreaker'))").redirectErrorStream(true).start());
        } catch (IOException notFound) {
            installed = python + " is not on the PATH (or set PYTHON)";
        }
        if (!installed.equals(pinned)) {
            SkipReasons.skipOutsideCi("pybreaker " + pinned + " and pytest wanted, found: " + installed + "; " + INSTALL);
        }

        ProcessBuilder pytest = new ProcessBuilder(python, "-m", "pytest", TESTS.toString(), "-v", "-s")
                .directory(Compose.ROOT.toFile()).redirectErrorStream(true);
        pytest.environment().putAll(Map.of("OFFER_JAVA", ProcessHandle.current().info().command().orElse("java"),
                "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1"));
        Process process = pytest.start();
        // Through System.out: the forked test JVM's own stdout is Failsafe's channel.
        Thread printer = new Thread(() -> process.inputReader(StandardCharsets.UTF_8).lines().forEach(System.out::println));
        printer.start();
        if (!process.waitFor(AT_MOST_MINUTES, TimeUnit.MINUTES)) {
            ServiceProcess.killTree(process); // pytest and the offer it started
            throw new AssertionError("the walks took more than " + AT_MOST_MINUTES + " minutes");
        }
        printer.join();
        assertNotEquals(NO_TESTS, process.exitValue(), "pytest collected no test in " + TESTS + " (a skip says why, above)");
        assertEquals(0, process.exitValue(), "offer and pybreaker differ, or the walks fell short: see pytest's output above");
    }

    /** The last line the process printed: the version, or why there is none. */
    private static String lastLine(Process process) {
        List<String> lines = process.inputReader(StandardCharsets.UTF_8).lines().toList();
        return lines.isEmpty() ? "nothing" : lines.get(lines.size() - 1).strip();
    }
}
