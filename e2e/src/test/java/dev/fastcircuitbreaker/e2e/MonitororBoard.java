package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Monitoror board of the repository's config.json, evaluated tile by tile the way Monitoror 4.0.1's core does
 * (shared/docs/monitoror.md §2): status-code range, key lookup, regex, number formatting, group roll-up. Service names
 * in the tiles' URLs are rewritten to where the test runs the services.
 */
final class MonitororBoard {

    static final Path CONFIG = Compose.ROOT.resolve("config.json");

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
        try {
            this.config = new ObjectMapper().readTree(Files.readString(CONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.hosts = hosts;
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

    private Tile evaluate(JsonNode tile, Map<String, Fetched> fetched) {
        String type = tile.get("type").asText();
        JsonNode params = tile.path("params");
        return switch (type) {
            case "GROUP" -> group(tile, fetched);
            case "PORT" -> port(params);
            case "HTTP-STATUS", "HTTP-RAW", "HTTP-FORMATTED" -> http(type, params, fetched);
            default -> throw new IllegalArgumentException("no evaluation for " + type + " tiles");
        };
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

    private Tile port(JsonNode params) {
        String[] hostPort = rewrite("http://" + params.get("hostname").asText() + ":" + params.get("port").asInt())
                .substring("http://".length()).split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), (int) TIMEOUT.toMillis());
            return new Tile("SUCCESS", "", "");
        } catch (IOException e) {
            return new Tile("FAILURE", "", "");
        }
    }

    private Tile http(String type, JsonNode params, Map<String, Fetched> fetched) {
        String url = params.get("url").asText();
        Fetched answer = fetched.computeIfAbsent(url, this::fetch);
        if (answer.timeout()) {
            return new Tile("WARNING", "timeout/host unreachable", "");
        }
        if (answer.failed()) {
            return new Tile("FAILURE", "unable to get " + url, "");
        }
        if (answer.status() < params.path("statusCodeMin").asInt(200) || answer.status() > params.path("statusCodeMax").asInt(399)) {
            return new Tile("FAILURE", "status code " + answer.status(), "");
        }
        if ("HTTP-STATUS".equals(type)) {
            return new Tile("SUCCESS", "", "");
        }
        String content = answer.body();
        if ("HTTP-FORMATTED".equals(type)) {
            if (!"JSON".equals(params.get("format").asText())) {
                throw new IllegalArgumentException("this board reads JSON only: " + params);
            }
            String key = params.get("key").asText();
            JsonNode value;
            try {
                value = lookup(new ObjectMapper().readTree(content), key);
            } catch (IOException e) {
                return new Tile("FAILURE", "unable to unmarshal content", "");
            }
            if (value == null || value.isMissingNode()) {
                return new Tile("FAILURE", "unable to lookup for key \"" + key + "\"", "");
            }
            if (value.isNull()) {
                // Monitoror's humanize panics on null: its tile route answers HTTP 500 and the tile never updates.
                return new Tile("ERROR", "null at key \"" + key + "\": Monitoror answers HTTP 500", "");
            }
            content = humanize(value);
        }
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

    private static JsonNode lookup(JsonNode node, String key) {
        JsonNode current = node;
        for (String segment : MonitororConfig.keySegments(key)) {
            if (segment.startsWith("[") && segment.endsWith("]")) {
                String index = segment.substring(1, segment.length() - 1);
                int i = index.isEmpty() ? 0 : Integer.parseInt(index);
                if (!current.isArray() || i >= current.size()) {
                    return null;
                }
                current = current.get(i);
            } else {
                String name = segment.startsWith("\"") ? segment.substring(1, segment.length() - 1) : segment;
                if (!current.isObject() || !current.has(name)) {
                    return null;
                }
                current = current.get(name);
            }
        }
        return current;
    }

    /** go-humanize's Ftoa for numbers (no exponent, no trailing zeros), true/false, strings as they are. */
    private static String humanize(JsonNode value) {
        if (value.isNumber()) {
            return new BigDecimal(value.asText()).stripTrailingZeros().toPlainString();
        }
        if (value.isBoolean() || value.isTextual()) {
            return value.asText();
        }
        throw new IllegalStateException("Monitoror would show Go's %v of " + value + ": point the key at a scalar");
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
