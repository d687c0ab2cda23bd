package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * What the scenario's phases do not show of the tile evaluation: a status over statusCodeMax, a number, a missing key,
 * and a key Monitoror could not show (the phases show the regex turning tiles red).
 */
class MonitororBoardTest {

    private static final String ANSWER = "{\"status\":\"DOWN\",\"failures\":3.0,\"data\":{\"state\":\"OPEN\"},\"nextTrialAt\":null}";

    private HttpServer offer;

    @BeforeEach
    void offerAnswers503() throws IOException {
        offer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        offer.createContext("/circuit", exchange -> {
            byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        offer.start();
    }

    @AfterEach
    void stop() {
        offer.stop(0);
    }

    @Test
    void aStatusAboveStatusCodeMaxIsRedWhateverTheBody() {
        assertEquals(new MonitororBoard.Tile("FAILURE", "status code 503", ""), tile("\"key\": \"status\""));
    }

    @Test
    void aNumberIsShownAsMonitororFormatsIt() {
        assertEquals(new MonitororBoard.Tile("SUCCESS", "", "3"), tile("\"key\": \"failures\", \"statusCodeMax\": 503"));
    }

    @Test
    void aMissingKeyIsRed() {
        assertEquals(new MonitororBoard.Tile("FAILURE", "unable to lookup for key \"state\"", ""),
                tile("\"key\": \"state\", \"statusCodeMax\": 503"));
    }

    @Test
    void refusesAKeyOnAnObjectOrANull() {
        assertThrows(IllegalStateException.class, () -> tile("\"key\": \"data\", \"statusCodeMax\": 503"));
        assertThrows(IllegalStateException.class, () -> tile("\"key\": \"nextTrialAt\", \"statusCodeMax\": 503"));
    }

    private MonitororBoard.Tile tile(String params) {
        String config = "{\"version\": \"2.0\", \"columns\": 1, \"tiles\": [{\"type\": \"HTTP-FORMATTED\", \"label\": \"tile\", "
                + "\"params\": {\"url\": \"http://offer:8080/circuit\", \"format\": \"JSON\", " + params + "}}]}";
        MonitororBoard board = new MonitororBoard(config, Map.of("offer:8080", "127.0.0.1:" + offer.getAddress().getPort()));
        return board.evaluate().get("tile");
    }
}
