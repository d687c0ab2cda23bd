package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * config.json as Monitoror's own core reads it, unchanged (compose's service names need not resolve to be checked):
 * accepted, every tile given a URL to ask and a label to read; each tile asking a compose service on its port; and
 * copies broken as an edit could break them refused, in Monitoror's own words.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitororConfigIT {

    private static final String CONFIG = Monitoror.read(Monitoror.CONFIG);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Copies of config.json with one thing broken: what, Monitoror's error, where, and the JSON put there (none: removed). */
    private static final String BROKEN = """
            no version                | ERROR_MISSING_REQUIRED_FIELD    | /version                      |
            old version               | ERROR_UNSUPPORTED_VERSION       | /version                      | "1.0"
            no columns                | ERROR_MISSING_REQUIRED_FIELD    | /columns                      |
            columns as a string       | ERROR_FIELD_TYPE_MISMATCH       | /columns                      | "4"
            no tiles                  | ERROR_INVALID_FIELD_VALUE       | /tiles                        | []
            unknown root field        | ERROR_UNKNOWN_FIELD             | /theme                        | "dark"
            unknown tile field        | ERROR_UNKNOWN_FIELD             | /tiles/0/colour               | "red"
            unknown tile type         | ERROR_UNKNOWN_TILE_TYPE         | /tiles/0/type                 | "HTTP-JSON"
            no params                 | ERROR_MISSING_REQUIRED_FIELD    | /tiles/0/params               |
            unknown param             | ERROR_UNKNOWN_FIELD             | /tiles/0/params/method        | "POST"
            no url                    | ERROR_MISSING_REQUIRED_FIELD    | /tiles/0/params/url           |
            status code as a string   | ERROR_UNEXPECTED                | /tiles/0/params/statusCodeMax | "503"
            status code max below 200 | ERROR_INVALID_FIELD_VALUE       | /tiles/0/params/statusCodeMax | 199
            empty regex               | ERROR_UNKNOWN_FIELD             | /tiles/0/params/regex         | ""
            regex with look-ahead     | ERROR_INVALID_FIELD_VALUE       | /tiles/0/params/regex         | "^(?=U)UP$"
            no key                    | ERROR_MISSING_REQUIRED_FIELD    | /tiles/0/params/key           |
            key as a number           | ERROR_UNEXPECTED                | /tiles/0/params/key           | 1
            lower-case format         | ERROR_INVALID_FIELD_VALUE       | /tiles/0/params/format        | "json"
            params on a group         | ERROR_UNAUTHORIZED_FIELD        | /tiles/8/params               | {}
            empty group               | ERROR_INVALID_FIELD_VALUE       | /tiles/8/tiles                | []
            group in a group          | ERROR_UNAUTHORIZED_SUBTILE_TYPE | /tiles/8/tiles/-              | {"type": "GROUP"}
            """;

    private Monitoror monitoror;

    static Stream<Arguments> brokenBoards() {
        Stream<Arguments> edited = BROKEN.lines().map(line -> line.split("\\|", -1)).map(row ->
                Arguments.of(row[0].strip(), row[1].strip(), broken(JsonPointer.compile(row[2].strip()), row[3].strip())));
        return Stream.concat(edited, Stream.of(
                Arguments.of("misspelt param", "ERROR_UNKNOWN_FIELD", CONFIG.replaceFirst("\"regex\":", "\"regexp\":")),
                Arguments.of("a JSON escape that is not JSON", "ERROR_INVALID_ESCAPED_CHARACTER",
                        CONFIG.replace("\"^UP$\"", "\"^\\d$\""))));
    }

    @BeforeAll
    void startMonitoror() throws IOException {
        assertEquals("GROUP", JSON.readTree(CONFIG).at("/tiles/8/type").asText(), "the broken boards' /tiles/8");
        Map<String, String> configs = new LinkedHashMap<>(Map.of("default", CONFIG));
        brokenBoards().forEach(board -> configs.put(name((String) board.get()[0]), (String) board.get()[2]));
        monitoror = Monitoror.start(configs);
    }

    @AfterAll
    void stopMonitoror() {
        if (monitoror != null) {
            monitoror.close();
        }
    }

    @Test
    void monitororAcceptsTheBoardAndGivesEveryTileAUrlAndALabelANewcomerCanRead() {
        assertEquals(List.of(), monitoror.errors("default"), "Monitoror's errors on config.json");
        List<JsonNode> tiles = monitoror.config("default").path("config").findParents("type");
        assertTrue(tiles.size() >= 6, tiles::toString);
        for (JsonNode tile : tiles) {
            assertTrue(tile.path("type").asText().equals("GROUP") || tile.path("url").asText().startsWith("/api/v1/"),
                    () -> "Monitoror gave it a url: " + tile);
            assertFalse(tile.path("label").asText().isEmpty() || tile.path("label").asText().startsWith("http"),
                    () -> "a label a newcomer can read: " + tile);
        }
    }

    /** So that the board works unchanged in compose: each URL names a service of docker-compose.yml, on its port. */
    @Test
    void everyTileAsksAComposeServiceOnThePortItListensOn() throws IOException {
        Map<String, List<Integer>> services = new HashMap<>();
        Compose.file().path("services").fields().forEachRemaining(service -> {
            List<Integer> ports = new ArrayList<>();
            service.getValue().path("ports").forEach(port -> ports.add(Integer.valueOf(port.asText().replaceAll(".*:", ""))));
            services.put(service.getKey(), ports);
        });
        List<JsonNode> urls = JSON.readTree(CONFIG).findValues("url");
        assertFalse(urls.isEmpty());
        for (JsonNode url : urls) {
            URI uri = URI.create(url.asText());
            assertTrue(services.getOrDefault(uri.getHost(), List.of()).contains(uri.getPort()),
                    () -> uri + " is not a service of docker-compose.yml on its port: " + services);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("brokenBoards")
    void monitororRefusesABrokenBoardInItsOwnWords(String what, String error, String json) {
        List<String> errors = monitoror.errors(name(what));
        assertFalse(errors.isEmpty(), "Monitoror accepted a board with " + what);
        assertEquals(error, errors.get(0).split(":")[0], errors::toString);
    }

    @Test
    void theBoardTestsStopOnARefusedBoardWithMonitororsWords() {
        try (Monitoror refusing = Monitoror.start(Map.of("default", CONFIG.replaceFirst("\"regex\":", "\"regexp\":")))) {
            AssertionError refused = assertThrows(AssertionError.class, refusing::board);
            assertTrue(refused.getMessage().contains("ERROR_UNKNOWN_FIELD: Unknown \"regexp\" tile params field."),
                    refused::getMessage);
        }
    }

    /** Monitoror's name for a config of its own: letters only ({@code MO_CONFIG_<NAME>}). */
    private static String name(String what) {
        return what.replaceAll("[^a-zA-Z]", "").toLowerCase();
    }

    /** config.json with {@code value} put at {@code at} (appended at {@code /-}), or what is there removed. */
    private static String broken(JsonPointer at, String value) {
        try {
            JsonNode board = JSON.readTree(CONFIG);
            JsonNode parent = board.at(at.head());
            String field = at.last().getMatchingProperty();
            if (value.isEmpty()) {
                ((ObjectNode) parent).remove(field);
            } else if (parent.isArray()) {
                ((ArrayNode) parent).add(JSON.readTree(value));
            } else {
                ((ObjectNode) parent).set(field, JSON.readTree(value));
            }
            return JSON.writeValueAsString(board);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
