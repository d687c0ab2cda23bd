package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** The repository's root, its docker-compose.yml driven through the CLI a user has ({@code docker compose}), any command run. */
final class Compose {

    static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

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

        /** Once the background build is over; fails with its output if it failed. */
        static void built() {
            build.join();
        }
    }

    /** {@code docker compose -f docker-compose.yml args...} from the repository root (e2e/docker/engine.sh installs it). */
    static String run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "compose", "-f", ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        return exec(command, timeout);
    }

    /** Runs a command from the repository root; its output once it exited 0, else fails with it. */
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
