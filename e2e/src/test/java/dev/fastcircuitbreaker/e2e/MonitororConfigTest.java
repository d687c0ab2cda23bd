package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * config.json is a board Monitoror 4.0.1 accepts, its tiles read docker-compose.yml's services, and each rule of the check
 * that says so refuses a board that breaks it.
 */
class MonitororConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theBoardIsAConfigMonitororAccepts() throws IOException {
        assertEquals(List.of(), MonitororConfig.validate(Files.readString(MonitororBoard.CONFIG)));
    }

    @Test
    void everyTileHasALabelANewcomerCanRead() throws IOException {
        board().findParents("type").forEach(tile -> {
            assertTrue(tile.hasNonNull("label"), "no label: " + tile);
            assertFalse(tile.get("label").asText().startsWith("http"), "label is a URL: " + tile);
        });
    }

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
                broken("url on the host, not a compose service", "ERROR_INVALID_FIELD_VALUE",
                        root -> firstParams(root).put("url", "http://localhost:8081/q/health")),
                broken("url on another port than the service's", "ERROR_INVALID_FIELD_VALUE",
                        root -> firstParams(root).put("url", "http://partner-offer:8080/q/health")),
                broken("status code as a string", "ERROR_UNEXPECTED", root -> firstParams(root).put("statusCodeMax", "503")),
                broken("status code max below 200", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("statusCodeMax", 199)),
                broken("empty regex", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).put("regex", "")),
                broken("regex with look-ahead", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("regex", "^(?=U)UP$")),
                broken("no key", "ERROR_MISSING_REQUIRED_FIELD", root -> firstParams(root).remove("key")),
                broken("key as a number", "ERROR_UNEXPECTED", root -> firstParams(root).put("key", 1)),
                broken("key with an index inside a name", "ERROR_INVALID_FIELD_VALUE",
                        root -> firstParams(root).put("key", "checks[0].status")),
                broken("lower-case format", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("format", "json")),
                broken("params on a group", "ERROR_UNAUTHORIZED_FIELD", root -> group(root).putObject("params")),
                broken("empty group", "ERROR_INVALID_FIELD_VALUE", root -> group(root).putArray("tiles")),
                broken("group in a group", "ERROR_UNAUTHORIZED_SUBTILE_TYPE",
                        root -> ((ArrayNode) group(root).get("tiles")).addObject().put("type", "GROUP")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("brokenBoards")
    void refusesABrokenBoard(String what, String expectedError, String json) {
        List<MonitororConfig.Error> errors = MonitororConfig.validate(json);
        assertEquals(1, errors.size(), errors::toString);
        assertEquals(expectedError, errors.get(0).id(), errors::toString);
    }

    @Test
    void refusesAJsonEscapeThatIsNotJson() throws IOException {
        String json = Files.readString(MonitororBoard.CONFIG).replace("\"^UP$\"", "\"^\\d$\"");
        assertEquals("ERROR_INVALID_ESCAPED_CHARACTER", MonitororConfig.validate(json).get(0).id());
    }

    private static Arguments broken(String what, String expectedError, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) board();
            change.accept(root);
            return Arguments.of(what, expectedError, JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode board() throws IOException {
        return JSON.readTree(Files.readString(MonitororBoard.CONFIG));
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
