package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * config.json as Monitoror's own core reads it, unchanged (compose's service names need not resolve to be checked):
 * accepted, every tile given a URL to ask; and a copy broken as an edit could break it refused, with Monitoror's words.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitororConfigIT {

    private static final String CONFIG = Monitoror.read(Monitoror.CONFIG);

    private Monitoror monitoror;

    @BeforeAll
    void startMonitoror() {
        monitoror = Monitoror.start(Map.of(
                "default", CONFIG,
                "lowercase", CONFIG.replaceFirst("\"format\": \"JSON\"", "\"format\": \"json\""),
                "typo", CONFIG.replaceFirst("\"regex\":", "\"regexp\":"),
                "quoted", CONFIG.replaceFirst("\"statusCodeMax\": 503", "\"statusCodeMax\": \"503\"")));
    }

    @AfterAll
    void stopMonitoror() {
        if (monitoror != null) {
            monitoror.close();
        }
    }

    @Test
    void monitororAcceptsTheBoardAndGivesEveryTileAUrl() {
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

    @Test
    void aBoardMonitororRefusesFailsWithMonitororsOwnWords() {
        assertEquals(List.of("ERROR_INVALID_FIELD_VALUE: Invalid \"format\" field. Must be one of [JSON, YAML, XML]."),
                monitoror.errors("lowercase"));
        assertEquals(List.of("ERROR_UNKNOWN_FIELD: Unknown \"regexp\" tile params field."), monitoror.errors("typo"));
        assertEquals("ERROR_UNEXPECTED", monitoror.errors("quoted").get(0).split(":")[0], monitoror.errors("quoted")::toString);
    }

    @Test
    void theBoardTestsStopOnARefusedBoardWithMonitororsWords() {
        try (Monitoror refusing = Monitoror.start(Map.of("default", CONFIG.replaceFirst("\"regex\":", "\"regexp\":")))) {
            AssertionError refused = assertThrows(AssertionError.class, refusing::board);
            assertTrue(refused.getMessage().contains("ERROR_UNKNOWN_FIELD: Unknown \"regexp\" tile params field."), refused::getMessage);
        }
    }
}
