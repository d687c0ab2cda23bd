package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * offer's breaker against the original demo's own library: runs the differential walks of {@code e2e/pybreaker}
 * (pytest; pybreaker as {@code e2e/pybreaker/requirements.txt} pins it, which {@code .ci/run} installs) against offer's
 * packaged jar, and prints their output. Where Python, pytest or the pinned pybreaker is missing, it is skipped with
 * the reason printed; in CI (the variable {@code CI} set) it fails.
 */
class OfferBehavesLikePybreakerIT {

    private static final Path TESTS = Compose.ROOT.resolve("e2e/pybreaker");
    private static final Path REQUIREMENTS = TESTS.resolve("requirements.txt");
    private static final String INSTALL = "python3 -m pip install -r e2e/pybreaker/requirements.txt";
    /** pytest's "no tests were collected". */
    private static final int NO_TESTS = 5;
    private static final Duration AT_MOST = Duration.ofMinutes(10);

    @Test
    void agreesWithPybreakerOnSeededRandomWalks() throws IOException, InterruptedException {
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        String missing = missing(python);
        if (missing != null) {
            SkipReasons.skipOutsideCi(missing);
        }
        ProcessBuilder pytest = new ProcessBuilder(python, "-m", "pytest", TESTS.toString(), "-v", "-s")
                .directory(Compose.ROOT.toFile()).redirectErrorStream(true);
        pytest.environment().put("OFFER_JAVA", ProcessHandle.current().info().command().orElse("java"));
        pytest.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pytest.environment().put("PYTHONUNBUFFERED", "1");
        Process process = pytest.start();
        Thread printer = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(System.out::println), "pytest-output");
        printer.start();
        if (!process.waitFor(AT_MOST.toMinutes(), TimeUnit.MINUTES)) {
            ServiceProcess.killTree(process); // pytest and the offer it started
            throw new AssertionError("the walks took more than " + AT_MOST);
        }
        printer.join();
        assertNotEquals(NO_TESTS, process.exitValue(), "pytest collected no test in " + TESTS + " (a skip says why, above)");
        assertEquals(0, process.exitValue(), "offer and pybreaker differ, or the walks fell short: see pytest's output above");
    }

    /** Why the walks cannot run with this Python, or null. */
    private static String missing(String python) throws IOException, InterruptedException {
        String pinned = Files.readAllLines(REQUIREMENTS).stream().filter(line -> line.startsWith("pybreaker=="))
                .map(line -> line.substring("pybreaker==".length()).strip()).findFirst()
                .orElseThrow(() -> new IllegalStateException(REQUIREMENTS + " pins no pybreaker"));
        Process check;
        try {
            check = new ProcessBuilder(python, "-c",
                    "import importlib.metadata as m, pybreaker, pytest; print(m.version('pybreaker'))").redirectErrorStream(true).start();
        } catch (IOException notFound) {
            return python + " is not on the PATH (or set PYTHON): install Python 3 and run " + INSTALL;
        }
        List<String> lines = new BufferedReader(new InputStreamReader(check.getInputStream(), StandardCharsets.UTF_8))
                .lines().toList();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
        if (check.waitFor() != 0) {
            return python + " lacks pytest or pybreaker (" + last + "): run " + INSTALL;
        }
        String installed = last;
        return installed.equals(pinned) ? null
                : "pybreaker " + installed + " is installed, " + REQUIREMENTS.getFileName() + " pins " + pinned + ": run " + INSTALL;
    }
}
