package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.restassured.path.json.JsonPath;

/** A customer of offer, on its URL: asks for an offer ({@code GET /offers}) and reads {@code GET /circuit}. */
record OfferClient(String url) {

    /** offer's default 1 s timeout (or a shorter one), plus room for a loaded machine. */
    static final long ANSWER_BOUND_MILLIS = 1_000 + 1_500;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer to {@code GET /offers}: its status (0: none came), its JSON body, what failed instead, its time. */
    record Answer(int status, JsonNode offer, String failure, long millis) {

        String type() {
            return offer.path("type").asText("");
        }

        String reason() {
            if (failure != null) {
                return failure;
            }
            return status == 200 && offer.path("type").isTextual() ? offer.path("reason").asText("no reason")
                    : "status " + status;
        }

        boolean isOffer() {
            return status == 200 && Set.of("hot", "cold").contains(type()) && offer.path("reason").isTextual();
        }
    }

    CompletableFuture<Answer> askAsync() {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/offers")).timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> failure != null
                ? new Answer(0, MissingNode.getInstance(), failure.toString(), millisSince(start))
                : answer(response.statusCode(), response.body(), millisSince(start)));
    }

    static Answer answer(int status, String body, long millis) {
        try {
            return new Answer(status, JSON.readTree(body), null, millis);
        } catch (IOException notJson) {
            return new Answer(status, MissingNode.getInstance(), "not JSON: " + body, millis);
        }
    }

    static Map<String, Long> tally(List<Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(Answer::reason, TreeMap::new, Collectors.counting()));
    }

    static Map<String, Long> slowest(List<Answer> answers) {
        return answers.stream().collect(Collectors.toMap(Answer::reason, Answer::millis, Math::max, TreeMap::new));
    }

    static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    Answer ask() {
        return askAsync().join();
    }

    JsonPath circuit() {
        return given().baseUri(url).get("/circuit").then().statusCode(200).extract().jsonPath();
    }

    Events events() throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/circuit/events"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        Events seen = new Events();
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

    /** What the SSE client saw: each state change as "FROM -> TO", and the callers shed, summed. */
    static final class Events {

        final List<String> stateChanges = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong shed = new AtomicLong();

        private void read(String line) {
            try {
                JsonNode event = JSON.readTree(line.substring("data:".length()));
                switch (event.path("kind").asText()) {
                    case "STATE_CHANGED" -> stateChanges.add(event.path("from").asText() + " -> " + event.path("to").asText());
                    case "OFFER_BUSY" -> shed.addAndGet(event.path("count").asLong());
                }
            } catch (IOException e) {
                stateChanges.add("not JSON: " + line);
            }
        }
    }
}
