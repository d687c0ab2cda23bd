package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client of offer's {@code /circuit/events} stream ({@code text/event-stream}), read on a thread of its own: each
 * event's JSON goes to {@code onEvent}, a line that is not JSON to {@code notJson}, and {@code ended} runs when offer
 * closes the stream (or stops).
 */
final class CircuitEventStream {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CircuitEventStream() {
    }

    static void follow(String offerUrl, Consumer<JsonNode> onEvent, Consumer<String> notJson, Runnable ended)
            throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(offerUrl + "/circuit/events"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        Thread reader = new Thread(() -> {
            try (Stream<String> lines = response.body()) {
                lines.filter(line -> line.startsWith("data:")).forEach(line -> {
                    try {
                        onEvent.accept(JSON.readTree(line.substring("data:".length())));
                    } catch (IOException e) {
                        notJson.accept(line);
                    }
                });
            } catch (RuntimeException e) {
                // offer stopped at the end of the test
            }
            ended.run();
        }, "circuit-events-reader");
        reader.setDaemon(true);
        reader.start();
    }
}
