package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Monitoror's own core, asked what it shows: its answer on the board, then on each tile (the url the board gives it). */
final class Monitoror {

    static final Path CONFIG = Compose.ROOT.resolve("config.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String url;

    Monitoror(String url) {
        this.url = url;
        await().alias("Monitoror answers on " + url).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> json("/api/v1/info").join().path("version").isTextual());
    }

    String page() {
        return get("/").join().body().contains("<title>Monitoror</title>") ? url + "/"
                : SkipReasons.skipOutsideCi("Monitoror at " + url + " has no web UI (a core built from its Go module); the"
                        + " release's has it: MONITOROR_BIN=../shared/monitoror/monitoror-4.0.1-linux-amd64");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** monitoror.env, as compose gives it to the container (MO_CONFIG aside: the tests say which file). */
    static Map<String, String> settings() {
        return read(Compose.ROOT.resolve("monitoror/monitoror.env")).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).map(line -> line.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
    }

    /** Every tile by label, in the words the web UI draws it (Browser#board); /circuit's once /offers is answered, to show it. */
    Map<String, String> board() {
        List<CompletableFuture<?>> customer = new ArrayList<>(List.of(CompletableFuture.completedFuture(null)));
        return board(path -> {
            String asks = URLDecoder.decode(path, StandardCharsets.UTF_8);
            var answer = asks.contains("/circuit") ? customer.get(0).thenCompose(answered -> json(path)) : json(path);
            if (asks.contains("/offers")) {
                customer.set(0, CompletableFuture.allOf(customer.get(0), answer));
            }
            return answer;
        });
    }

    /** The board with every tile asked at once, as the web UI does when it opens. */
    Map<String, String> boardAtOnce() {
        return board(this::json);
    }

    private Map<String, String> board(Function<String, CompletableFuture<JsonNode>> ask) {
        JsonNode answer = json("/api/v1/configs/default").join();
        if (answer.has("errors")) {
            throw new AssertionError("Monitoror refuses the board: " + answer.path("errors"));
        }
        Map<String, CompletableFuture<JsonNode>> asked = new LinkedHashMap<>();
        for (JsonNode tile : answer.path("config").findParents("type")) {
            if (!"GROUP".equals(tile.path("type").asText())) {
                if (tile.path("url").asText().isEmpty()) {
                    throw new AssertionError("Monitoror gave no url to " + tile);
                }
                asked.computeIfAbsent(tile.path("url").asText(), ask);
            }
        }
        Map<String, String> board = new LinkedHashMap<>();
        for (JsonNode tile : answer.path("config").path("tiles")) {
            board.put(tile.path("label").asText(),
                    "GROUP".equals(tile.path("type").asText()) ? group(tile, asked) : tile(tile, asked));
        }
        return board;
    }

    private static String group(JsonNode group, Map<String, CompletableFuture<JsonNode>> asked) {
        List<String> tiles = group.path("tiles").valueStream().map(tile -> tile(tile, asked)).toList();
        long ok = tiles.stream().filter(tile -> tile.startsWith("succeeded")).count();
        String worst = tiles.stream().anyMatch(tile -> tile.startsWith("failed")) ? "failed"
                : ok < tiles.size() ? "warning" : "succeeded";
        return worst + " " + ok + " / " + tiles.size();
    }

    private static String tile(JsonNode tile, Map<String, CompletableFuture<JsonNode>> asked) {
        JsonNode answer = asked.get(tile.path("url").asText()).join();
        List<String> values = answer.path("value").path("values").valueStream().map(JsonNode::asText).toList();
        String colour = Map.of("SUCCESS", "succeeded", "FAILURE", "failed", "WARNING", "warning")
                .getOrDefault(answer.path("status").asText(), answer.path("status").asText());
        return colour + " " + (values.isEmpty() ? answer.path("message").asText() : String.join(" ", values));
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<JsonNode> json(String path) {
        return get(path).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new AssertionError("Monitoror answered " + response.statusCode() + " on " + path + ": " + response.body());
            }
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
