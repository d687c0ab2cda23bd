package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** The repository's root, its docker-compose.yml driven through the CLI a user has ({@code docker compose}), any command run. */
final class Compose {

    static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    /** In META-INF/services: with -De2e.docker=true, builds the images beside the first test, for ComposeDemoIT's up --build. */
    public static class Images implements TestExecutionListener {

        private static CompletableFuture<String> build = CompletableFuture.completedFuture("not built in the background");

        @Override
        public void testPlanExecutionStarted(TestPlan plan) {
            boolean composeDemo = plan.getRoots().stream().flatMap(root -> plan.getDescendants(root).stream())
                    .anyMatch(test -> test.getSource().filter(source -> source instanceof ClassSource type
                            && type.getJavaClass() == ComposeDemoIT.class).isPresent());
            if (composeDemo && Boolean.getBoolean("e2e.docker")) {
                build = CompletableFuture.supplyAsync(() -> run(Duration.ofMinutes(15), "build", "partner-offer", "offer"),
                        task -> new Thread(task, "compose-build").start());
            }
        }

        /** No build left running, whatever became of ComposeDemoIT. */
        @Override
        public void testPlanExecutionFinished(TestPlan plan) {
            build.handle((output, failure) -> output).join();
        }

        static void built() {
            build.join();
        }
    }

    /** {@code docker compose -f docker-compose.yml args...} from the repository root (e2e/docker/engine.sh installs it). */
    static String run(Duration timeout, String... args) {
        String file = ROOT.resolve("docker-compose.yml").toString();
        return exec(Stream.concat(Stream.of("docker", "compose", "-f", file), Stream.of(args)).toList(), timeout);
    }

    static String exec(List<String> command, Duration timeout) {
        try {
            Path output = Files.createTempFile("e2e-exec", ".log");
            Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                ServiceProcess.killTree(process);
            }
            String text = Files.readString(output);
            Files.delete(output);
            if (!exited || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + (exited ? " exited with " + process.exitValue()
                        : " did not finish in " + timeout) + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
