package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * config.json as Monitoror's own core reads it, unchanged (compose's service names need not resolve to be checked):
 * accepted, every tile given a URL to ask and a label to read; each tile asking a compose service on its port; and a
 * board it refuses stops the board tests with Monitoror's own words. (How Monitoror judges a broken config is its own
 * business, tested by its project.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitororConfigIT {

    private static final String CONFIG = Monitoror.read(Monitoror.CONFIG);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Monitoror monitoror;

    @BeforeAll
    void startMonitoror() {
        monitoror = Monitoror.start(CONFIG);
    }

    @AfterAll
    void stopMonitoror() {
        if (monitoror != null) {
            monitoror.close();
        }
    }

    @Test
    void monitororAcceptsTheBoardAndGivesEveryTileAUrlAndALabelANewcomerCanRead() {
        assertEquals(List.of(), monitoror.errors(), "Monitoror's errors on config.json");
        List<JsonNode> tiles = monitoror.config().path("config").findParents("type");
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

    @Test
    void theBoardTestsStopOnARefusedBoardWithMonitororsWords() {
        try (Monitoror refusing = Monitoror.start(CONFIG.replaceFirst("\"regex\":", "\"regexp\":"))) {
            AssertionError refused = assertThrows(AssertionError.class, refusing::board);
            assertTrue(refused.getMessage().contains("ERROR_UNKNOWN_FIELD: Unknown \"regexp\" tile params field."),
                    refused::getMessage);
        }
    }
}
