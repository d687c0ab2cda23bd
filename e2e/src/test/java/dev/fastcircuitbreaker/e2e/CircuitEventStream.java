package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What an SSE client of offer's {@code /circuit/events}, connected from {@link #follow} on, saw: each state change as
 * "FROM -> TO" (or "not JSON: ..." and "stream ended", which no test expects), and the callers shed, summed.
 */
final class CircuitEventStream {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<String> stateChanges = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong shed = new AtomicLong();

    static CircuitEventStream follow(String offerUrl) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(offerUrl + "/circuit/events")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        CircuitEventStream seen = new CircuitEventStream();
        Thread reader = new Thread(() -> {
            try (Stream<String> lines = response.body()) {
                lines.filter(line -> line.startsWith("data:")).forEach(seen::read);
            } catch (RuntimeException e) {
                // offer stopped at the end of the test
            }
            seen.stateChanges.add("stream ended");
        }, "circuit-events-reader");
        reader.setDaemon(true);
        reader.start();
        return seen;
    }

    private void read(String line) {
        try {
            JsonNode event = JSON.readTree(line.substring("data:".length()));
            switch (event.path("kind").asText()) {
                case "STATE_CHANGED" -> stateChanges.add(event.path("from").asText() + " -> " + event.path("to").asText());
                case "OFFER_BUSY" -> shed.addAndGet(event.path("count").asLong());
                default -> {
                }
            }
        } catch (IOException e) {
            stateChanges.add("not JSON: " + line);
        }
    }
}
