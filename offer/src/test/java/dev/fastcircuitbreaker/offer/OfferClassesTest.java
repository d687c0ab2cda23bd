package dev.fastcircuitbreaker.offer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * offer's classes read in one direction: no class depends, through others, on itself. The dependencies are read
 * from the compiled classes' constant pools (every class, field, method and constant a class uses is named there),
 * nested classes counted as their outer class.
 */
class OfferClassesTest {

    private static final Path CLASSES = Path.of("target/classes/dev/fastcircuitbreaker/offer");
    private static final Pattern OFFER_CLASS = Pattern.compile("dev/fastcircuitbreaker/offer/(\\w+)");

    @Test
    void importEachOtherInNoCycle() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycles(start, start, new ArrayList<>(List.of(start)), uses, cycles);
        }
        assertEquals(List.of(), cycles, "import cycles among " + uses);
    }

    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> classes = Files.list(CLASSES)) {
            for (Path file : classes.filter(path -> path.toString().endsWith(".class")).toList()) {
                String name = outer(file.getFileName().toString().replace(".class", ""));
                Set<String> used = uses.computeIfAbsent(name, any -> new TreeSet<>());
                // Class names in a constant pool are plain ASCII, as in this reading of its bytes.
                Matcher named = OFFER_CLASS.matcher(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                while (named.find()) {
                    used.add(outer(named.group(1)));
                }
                used.remove(name);
            }
        }
        return uses;
    }

    /** Each cycle once, from its alphabetically first class: "A -> B -> A". */
    private static void findCycles(String start, String at, List<String> path, Map<String, Set<String>> uses,
            List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (next.compareTo(start) > 0 && !path.contains(next)) {
                path.add(next);
                findCycles(start, next, path, uses, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    private static String outer(String name) {
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }
}
