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

/** config.json is a board Monitoror 4.0.1 accepts, and the check that says so refuses what Monitoror refuses. */
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

    @Test
    void everyUrlIsAServiceOfTheComposeFileOnItsPort() throws IOException {
        String compose = Files.readString(Compose.ROOT.resolve("docker-compose.yml"));
        for (String url : board().findValuesAsText("url")) {
            assertTrue(url.startsWith("http://partner-offer:8081/") || url.startsWith("http://offer:8080/"), url);
            String service = url.substring("http://".length(), url.indexOf(':', "http://".length()));
            assertTrue(compose.contains("\n  " + service + ":\n"), service + " is not a service of docker-compose.yml");
        }
    }

    static Stream<Arguments> brokenBoards() {
        return Stream.of(
                broken("version as a number", "ERROR_UNABLE_TO_PARSE_CONFIG", root -> root.put("version", 2.0)),
                broken("version without minor", "ERROR_UNABLE_TO_PARSE_CONFIG", root -> root.put("version", "2")),
                broken("old version", "ERROR_UNSUPPORTED_VERSION", root -> root.put("version", "1.0")),
                broken("no version", "ERROR_MISSING_REQUIRED_FIELD", root -> root.remove("version")),
                broken("no columns", "ERROR_MISSING_REQUIRED_FIELD", root -> root.remove("columns")),
                broken("columns as a string", "ERROR_FIELD_TYPE_MISMATCH", root -> root.put("columns", "3")),
                broken("zoom too large", "ERROR_INVALID_FIELD_VALUE", root -> root.put("zoom", 11)),
                broken("no tiles", "ERROR_INVALID_FIELD_VALUE", root -> root.putArray("tiles")),
                broken("unknown root field", "ERROR_UNKNOWN_FIELD", root -> root.put("theme", "dark")),
                broken("unknown tile field", "ERROR_UNKNOWN_FIELD", root -> firstTile(root).put("colour", "red")),
                broken("unknown tile type", "ERROR_UNKNOWN_TILE_TYPE", root -> firstTile(root).put("type", "HTTP-JSON")),
                broken("no params", "ERROR_MISSING_REQUIRED_FIELD", root -> firstTile(root).remove("params")),
                broken("no url", "ERROR_MISSING_REQUIRED_FIELD", root -> firstParams(root).remove("url")),
                broken("url not http", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("url", "ftp://offer/x")),
                broken("status code as a string", "ERROR_UNEXPECTED", root -> firstParams(root).put("statusCodeMax", "503")),
                broken("min above max", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("statusCodeMin", 504)),
                broken("lower-case format", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("format", "json")),
                broken("no key", "ERROR_MISSING_REQUIRED_FIELD", root -> firstParams(root).remove("key")),
                broken("key with an index inside a segment", "ERROR_INVALID_FIELD_VALUE",
                        root -> firstParams(root).put("key", "checks[0].status")),
                broken("regex with look-ahead", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("regex", "^(?=U)UP$")),
                broken("regex with a back-reference", "ERROR_INVALID_FIELD_VALUE", root -> firstParams(root).put("regex", "(U)\\1")),
                broken("empty regex", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).put("regex", "")),
                broken("unknown param", "ERROR_UNKNOWN_FIELD", root -> firstParams(root).put("method", "POST")),
                broken("params on a group", "ERROR_UNAUTHORIZED_FIELD", root -> group(root).putObject("params")),
                broken("group in a group", "ERROR_UNAUTHORIZED_SUBTILE_TYPE",
                        root -> ((ArrayNode) group(root).get("tiles")).addObject().put("type", "GROUP")),
                broken("unknown variant", "ERROR_UNKNOWN_VARIANT", root -> firstTile(root).put("configVariant", "slow")));
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
