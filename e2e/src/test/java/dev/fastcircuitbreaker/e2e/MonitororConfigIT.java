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
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    private Monitoror monitoror;

    static Stream<Arguments> brokenBoards() {
        return Stream.of(
                broken("no version", "ERROR_MISSING_REQUIRED_FIELD", root -> root.remove("version")),
                broken("old version", "ERROR_UNSUPPORTED_VERSION", root -> root.put("version", "1.0")),
                broken("no columns", "ERROR_MISSING_REQUIRED_FIELD", root -> root.remove("columns")),
                broken("columns as a string", "ERROR_FIELD_TYPE_MISMATCH", root -> root.put("columns", "4")),
                broken("no tiles", "ERROR_INVALID_FIELD_VALUE", root -> root.putArray("tiles")),
                broken("unknown root field", "ERROR_UNKNOWN_FIELD", root -> root.put("theme", "dark")),
                broken("unknown tile field", "ERROR_UNKNOWN_FIELD", root -> firstTile(root).put("colour", "red")),
                broken("unknown tile type", "ERROR_UNKNOWN_TILE_TYPE", root -> firstTile(root).put("type", "HTTP-JSON")),
                broken("no params", "ERROR_MISSING_REQUIRED_FIELD", root -> firstTile(root).remove("params")),
                broken("unknown param", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).put("method", "POST")),
                broken("no url", "ERROR_MISSING_REQUIRED_FIELD", root -> firstParams(root).remove("url")),
                broken("status code as a string", "ERROR_UNEXPECTED", root -> firstParams(root).put("statusCodeMax", "503")),
                broken("status code max below 200", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("statusCodeMax", 199)),
                broken("empty regex", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).put("regex", "")),
                broken("regex with look-ahead", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("regex", "^(?=U)UP$")),
                broken("no key", "ERROR_MISSING_REQUIRED_FIELD", root -> firstParams(root).remove("key")),
                broken("key as a number", "ERROR_UNEXPECTED", root -> firstParams(root).put("key", 1)),
                broken("lower-case format", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("format", "json")),
                broken("misspelt param", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).set("regexp", firstParams(root).remove("regex"))),
                broken("params on a group", "ERROR_UNAUTHORIZED_FIELD", root -> group(root).putObject("params")),
                broken("empty group", "ERROR_INVALID_FIELD_VALUE", root -> group(root).putArray("tiles")),
                broken("group in a group", "ERROR_UNAUTHORIZED_SUBTILE_TYPE",
                        root -> ((ArrayNode) group(root).get("tiles")).addObject().put("type", "GROUP")),
                Arguments.of("a JSON escape that is not JSON", "ERROR_INVALID_ESCAPED_CHARACTER",
                        CONFIG.replace("\"^UP$\"", "\"^\\d$\"")));
    }

    @BeforeAll
    void startMonitoror() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("default", CONFIG);
        brokenBoards().forEach(board -> configs.put(name(board), (String) board.get()[2]));
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
        List<String> errors = monitoror.errors(name(Arguments.of(what, error, json)));
        assertFalse(errors.isEmpty(), "Monitoror accepted a board with " + what);
        assertEquals(error, errors.get(0).split(":")[0], errors::toString);
    }

    @Test
    void theBoardTestsStopOnARefusedBoardWithMonitororsWords() {
        try (Monitoror refusing = Monitoror.start(Map.of("default", CONFIG.replaceFirst("\"regex\":", "\"regexp\":")))) {
            AssertionError refused = assertThrows(AssertionError.class, refusing::board);
            assertTrue(refused.getMessage().contains("ERROR_UNKNOWN_FIELD: Unknown \"regexp\" tile params field."), refused::getMessage);
        }
    }

    /** Monitoror's name for a config of its own: letters and digits ({@code MO_CONFIG_<NAME>}). */
    private static String name(Arguments board) {
        return ((String) board.get()[0]).replaceAll("[^a-zA-Z]", "").toLowerCase();
    }

    private static Arguments broken(String what, String error, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(CONFIG);
            change.accept(root);
            return Arguments.of(what, error, JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode firstTile(ObjectNode root) {
        return (ObjectNode) root.get("tiles").get(0);
    }

    private static ObjectNode firstParams(ObjectNode root) {
        return (ObjectNode) firstTile(root).get("params");
    }

    private static ObjectNode group(ObjectNode root) {
        for (JsonNode tile : root.get("tiles")) {
            if ("GROUP".equals(tile.get("type").asText())) {
                return (ObjectNode) tile;
            }
        }
        throw new IllegalStateException("config.json has no GROUP tile");
    }
}
