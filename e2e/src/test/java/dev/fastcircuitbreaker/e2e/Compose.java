package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The repository's docker-compose.yml driven through the Compose CLI a user has: {@code docker compose}, Compose v2
 * (e2e/docker/engine.sh installs it).
 */
final class Compose {

    static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    private static final List<String> COMMAND = List.of("docker", "compose");

    private Compose() {
    }

    /**
     * With {@code -De2e.docker=true}, builds the services' images from the start of the run, while the first test (the
     * pybreaker walks, which mostly wait: {@code junit-platform.properties} orders the classes) runs beside it; then
     * ComposeDemoIT's {@code up --build} finds them built. Registered in {@code META-INF/services}.
     */
    public static class Images implements TestExecutionListener {

        private static CompletableFuture<String> build = CompletableFuture.completedFuture("not built in the background");

        @Override
        public void testPlanExecutionStarted(TestPlan plan) {
            if (Boolean.getBoolean("e2e.docker")) {
                build = CompletableFuture.supplyAsync(() -> cli().run(Duration.ofMinutes(15), "build", "partner-offer", "offer"),
                        task -> new Thread(task, "compose-build").start());
            }
        }

        /** Once the background build is over; fails with its output if it failed. */
        static void built() {
            build.join();
        }
    }

    static Compose cli() {
        try {
            exec(List.of("docker", "compose", "version"), Duration.ofSeconds(30));
        } catch (RuntimeException noCompose) {
            throw new IllegalStateException("docker compose (Compose v2) does not answer: run e2e/docker/engine.sh first", noCompose);
        }
        return new Compose();
    }

    /** Runs {@code docker compose -f docker-compose.yml [files...] args...} from the repository root; fails on a non-zero exit. */
    String run(Duration timeout, String... args) {
        List<String> full = new ArrayList<>(COMMAND);
        full.addAll(List.of("-f", ROOT.resolve("docker-compose.yml").toString()));
        full.addAll(List.of(args));
        return exec(full, timeout);
    }

    static String exec(List<String> command, Duration timeout) {
        try {
            Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process was killed on timeout
                }
            });
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ServiceProcess.killTree(process);
                reader.join();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout + ":\n" + output);
            }
            reader.join();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
