package dev.fastcircuitbreaker.e2e;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** What an end-to-end run saw, one line per observation, printed at the end whatever the outcome. */
final class Timeline {

    private final String title;
    private final List<String> lines = new ArrayList<>();

    Timeline(String title) {
        this.title = title;
    }

    synchronized void step(String step) {
        lines.add(String.format("%s  --- %s", now(), step));
    }

    synchronized void saw(String offerType, String reason, String state, int failures) {
        lines.add(String.format("%s  offer=%-4s %-20s circuit=%-9s failures=%d", now(), offerType, reason, state, failures));
    }

    synchronized void print() {
        System.out.println("Timeline of " + title + ":");
        lines.forEach(line -> System.out.println("  " + line));
    }

    private static LocalTime now() {
        return LocalTime.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
