package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A packaged service or a partner double as a process on 127.0.0.1, its output in {@code e2e/target/logs/<name>-<n>.log}. */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");
    private static final Path LOGS = Compose.ROOT.resolve("e2e/target/logs");
    private static final AtomicInteger STARTED = new AtomicInteger();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private final String module;
    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(String module, List<String> command, Path directory, Map<String, String> env) {
        this.module = module;
        try {
            Files.createDirectories(LOGS);
            log = LOGS.resolve(module + "-" + STARTED.incrementAndGet() + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            this.port = await().alias(module + " listening, see " + log).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).failFast(module + " exited, see " + log, () -> !process.isAlive())
                    .until(() -> LISTENING.matcher(log()), Matcher::find).group(1).transform(Integer::parseInt);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static void stopAll(AutoCloseable... running) throws Exception {
        for (AutoCloseable each : running) {
            if (each != null) {
                each.close();
            }
        }
    }

    // As the images run it: from its own folder, with the AOT cache `./mvnw verify -Daot` trained (JDK 25).
    private static ServiceProcess jar(String module, int port, Map<String, String> env) {
        Path app = Compose.ROOT.resolve(module).resolve("target/quarkus-app");
        List<String> command = new ArrayList<>(List.of(JAVA, "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port));
        if (Files.isRegularFile(app.resolve("app.aot"))) {
            command.add("-XX:AOTCache=app.aot");
        }
        command.addAll(List.of("-jar", "quarkus-run.jar"));
        return new ServiceProcess(module, command, app, env);
    }

    /** offer's socket-level partner double (offer's {@code bounds/HostilePartner.java}): a log line per connection. */
    static ServiceProcess hostilePartner(String behaviour) {
        return new ServiceProcess("hostile-partner", List.of(JAVA, "-Xmx64m",
                "offer/src/test/java/dev/fastcircuitbreaker/offer/bounds/HostilePartner.java", behaviour),
                Compose.ROOT, Map.of());
    }

    static ServiceProcess start(String module, Map<String, String> env) {
        ServiceProcess started = jar(module, 0, env);
        started.awaitReady();
        return started;
    }

    /** Starts the module's jar again on its port, as a restarted container; returns once the port accepts, before ready. */
    ServiceProcess restart(Map<String, String> env) {
        return jar(module, port, env);
    }

    void awaitReady() {
        await().alias(module + " ready, see " + log).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .failFast(module + " exited, see " + log, () -> !process.isAlive())
                .until(() -> given().baseUri(url()).get("/q/health/ready").statusCode() == 200);
    }

    static long offersServed(String partnerUrl) {
        return given().baseUri(partnerUrl).get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{") && line.contains("uri=\"/offers\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A field of /proc/PID/status now, as a number: {@code VmRSS:} (KiB), {@code Threads:}. */
    long status(String field) {
        return Monitoror.read(Path.of("/proc/" + process.pid() + "/status")).lines().filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }

    String log() {
        return Monitoror.read(log);
    }

    void kill() {
        process.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    }

    /** SIGSTOP: the partner hangs; connections are accepted by the kernel and never answered. SIGCONT: it answers again. */
    void signal(String name) {
        Compose.exec(List.of("kill", "-" + name, Long.toString(process.pid())), Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            signal("CONT");
            stop(process);
        }
    }

    static void killTree(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
    }

    static void stop(Process process) {
        process.destroy();
        if (process.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join() == null) {
            process.destroyForcibly().onExit().join();
        }
    }
}
