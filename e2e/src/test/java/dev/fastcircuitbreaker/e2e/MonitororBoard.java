package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Monitoror board of the repository's config.json, evaluated tile by tile the way Monitoror 4.0.1's core does
 * (shared/docs/monitoror.md §2) for the tiles it uses (those {@link MonitororConfig} accepts): status-code range, key
 * lookup, regex, number formatting, group roll-up. Service names in the tiles' URLs are rewritten to where the test runs
 * the services.
 */
final class MonitororBoard {

    static final Path CONFIG = Monitoror.CONFIG;

    /** A tile as Monitoror's UI would show it: SUCCESS (green), FAILURE (red) or WARNING (yellow), a message, a value. */
    record Tile(String status, String message, String value) {
        @Override
        public String toString() {
            return status + (value.isEmpty() ? "" : " " + value) + (message.isEmpty() ? "" : " (" + message + ")");
        }
    }

    private static final Duration TIMEOUT = Duration.ofMillis(2_000);
    private static final Pattern HOST_PORT = Pattern.compile("^(https?://)([^/:]+)(:\\d+)?");

    private final JsonNode config;
    private final Map<String, String> hosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** @param hosts service {@code name:port} in config.json to the {@code host:port} where the test runs it */
    MonitororBoard(Map<String, String> hosts) {
        this(read(CONFIG), hosts);
    }

    /** A board from the given config, which must be one {@link MonitororConfig} accepts. */
    MonitororBoard(String json, Map<String, String> hosts) {
        List<MonitororConfig.Error> errors = MonitororConfig.validate(json);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("Monitoror would refuse this config: " + errors);
        }
        try {
            this.config = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.hosts = hosts;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every tile by label, groups included, evaluated once. Like Monitoror's per-URL cache, each URL is fetched once per
     * evaluation, in the order of the tiles, so tiles reading one URL show one answer.
     */
    Map<String, Tile> evaluate() {
        Map<String, Fetched> fetched = new HashMap<>();
        Map<String, Tile> board = new LinkedHashMap<>();
        for (JsonNode tile : config.get("tiles")) {
            board.put(tile.path("label").asText(), evaluate(tile, fetched));
        }
        return board;
    }

    /** The same, with every URL of the board asked at once, as Monitoror's web UI does when it opens. */
    Map<String, Tile> evaluateAtOnce() {
        ExecutorService pool = Executors.newCachedThreadPool();
        Map<String, CompletableFuture<Fetched>> asked = new LinkedHashMap<>();
        config.findValues("url").forEach(url -> asked.computeIfAbsent(url.asText(),
                each -> CompletableFuture.supplyAsync(() -> fetch(each), pool)));
        Map<String, Fetched> fetched = new HashMap<>();
        asked.forEach((url, answer) -> fetched.put(url, answer.join()));
        pool.shutdown();
        Map<String, Tile> board = new LinkedHashMap<>();
        for (JsonNode tile : config.get("tiles")) {
            board.put(tile.path("label").asText(), evaluate(tile, fetched));
        }
        return board;
    }

    private Tile evaluate(JsonNode tile, Map<String, Fetched> fetched) {
        return "GROUP".equals(tile.get("type").asText()) ? group(tile, fetched) : http(tile, fetched);
    }

    private Tile group(JsonNode group, Map<String, Fetched> fetched) {
        int ok = 0;
        int total = 0;
        String worst = "SUCCESS";
        for (JsonNode tile : group.get("tiles")) {
            Tile sub = evaluate(tile, fetched);
            total++;
            if ("SUCCESS".equals(sub.status())) {
                ok++;
            }
            if ("FAILURE".equals(sub.status()) || ("WARNING".equals(sub.status()) && "SUCCESS".equals(worst))) {
                worst = sub.status();
            }
        }
        return new Tile(worst, ok + " / " + total, "");
    }

    /** HTTP-STATUS: the status code only; HTTP-FORMATTED: then the JSON value at the key, matched by the regex. */
    private Tile http(JsonNode tile, Map<String, Fetched> fetched) {
        JsonNode params = tile.get("params");
        String url = params.get("url").asText();
        Fetched answer = fetched.computeIfAbsent(url, this::fetch);
        if (answer.timeout()) {
            return new Tile("WARNING", "timeout/host unreachable", "");
        }
        if (answer.failed()) {
            return new Tile("FAILURE", "unable to get " + url, "");
        }
        if (answer.status() < 200 || answer.status() > params.path("statusCodeMax").asInt(399)) {
            return new Tile("FAILURE", "status code " + answer.status(), "");
        }
        if ("HTTP-STATUS".equals(tile.get("type").asText())) {
            return new Tile("SUCCESS", "", "");
        }
        String key = params.get("key").asText();
        JsonNode value;
        try {
            value = new ObjectMapper().readTree(answer.body()).at("/" + key.replace('.', '/'));
        } catch (IOException e) {
            return new Tile("FAILURE", "unable to unmarshal content", "");
        }
        if (value.isMissingNode()) {
            return new Tile("FAILURE", "unable to lookup for key \"" + key + "\"", "");
        }
        String content = humanize(key, value);
        JsonNode regex = params.get("regex");
        if (regex != null) {
            Matcher matcher = Pattern.compile(regex.asText()).matcher(content);
            if (!matcher.find()) {
                return new Tile("FAILURE", "", content);
            }
            content = matcher.groupCount() > 0 ? matcher.group(1) : content;
        }
        return new Tile("SUCCESS", "", content);
    }

    /**
     * go-humanize's Ftoa for numbers (no exponent, no trailing zeros), true/false, strings as they are. Monitoror shows
     * an object or array as Go's %v, and a null makes its tile route answer HTTP 500: a key must point at a scalar.
     */
    private static String humanize(String key, JsonNode value) {
        if (value.isNumber()) {
            return new BigDecimal(value.asText()).stripTrailingZeros().toPlainString();
        }
        if (value.isBoolean() || value.isTextual()) {
            return value.asText();
        }
        throw new IllegalStateException("key \"" + key + "\" points at " + value + ", not at a scalar Monitoror can show");
    }

    private Fetched fetch(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(rewrite(url))).timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Fetched(response.statusCode(), response.body(), false, false);
        } catch (HttpTimeoutException e) {
            return new Fetched(0, "", true, false);
        } catch (ConnectException e) {
            return causedBy(e, UnknownHostException.class) ? new Fetched(0, "", true, false) : new Fetched(0, "", false, true);
        } catch (IOException e) {
            return new Fetched(0, "", false, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String rewrite(String url) {
        Matcher matcher = HOST_PORT.matcher(url);
        if (!matcher.find()) {
            return url;
        }
        String hostPort = matcher.group(2) + (matcher.group(3) == null ? "" : matcher.group(3));
        String target = hosts.get(hostPort);
        if (target == null) {
            throw new IllegalArgumentException("no address for " + hostPort + " given to the board: " + hosts);
        }
        return matcher.group(1) + target + url.substring(matcher.end());
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private record Fetched(int status, String body, boolean timeout, boolean failed) {
    }
}
