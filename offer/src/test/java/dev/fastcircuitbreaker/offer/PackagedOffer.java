package dev.fastcircuitbreaker.offer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The packaged offer a {@code @QuarkusIntegrationTest} launched, as the operating system sees it: its command line,
 * {@code /proc} status and log ({@code target/quarkus.log}, where Quarkus' launcher has it write).
 */
public final class PackagedOffer {

    private PackagedOffer() {
    }

    public static ProcessHandle process() {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().commandLine().orElse("").contains("quarkus-run.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("no packaged offer running"));
    }

    public static List<String> arguments() {
        return List.of(process().info().arguments().orElseThrow());
    }

    /** A number of its {@code /proc/<pid>/status}: {@code Threads:}, {@code VmRSS:} (KiB)... */
    public static long status(String field) {
        return read(Path.of("/proc/" + process().pid() + "/status")).lines().filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }

    public static String log() {
        return read(Path.of("target/quarkus.log"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
