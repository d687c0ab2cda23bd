package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Checks config.json against Monitoror 4.0.1's rules (shared/docs/monitoror.md §1-2) for what this board uses: GROUP,
 * HTTP-STATUS and HTTP-FORMATTED tiles reading JSON by plain dotted keys, and URLs of docker-compose.yml's services on
 * their ports. So a board Monitoror would refuse, or whose tiles cannot reach a service, fails a test here, where Monitoror
 * itself cannot run. Errors carry Monitoror's ids. Anything else Monitoror offers is refused as unknown: add its rules,
 * and its evaluation in {@link MonitororBoard}, before a tile uses it.
 */
final class MonitororConfig {

    record Error(String id, String message) {
        @Override
        public String toString() {
            return id + ": " + message;
        }
    }

    private static final Set<String> ROOT_FIELDS = Set.of("version", "columns", "tiles");
    private static final Set<String> TILE_FIELDS = Set.of("type", "label", "params", "tiles");
    private static final Map<String, Set<String>> PARAMS = Map.of(
            "HTTP-STATUS", Set.of("url", "statusCodeMax"),
            "HTTP-FORMATTED", Set.of("url", "statusCodeMax", "regex", "format", "key"));
    /** Names joined by dots. Monitoror also reads indexes ({@code checks.[0].status}) and quoted names; this board needs neither. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][\\w-]*(\\.[A-Za-z_][\\w-]*)*");
    /** Java regex syntax that RE2 (Go's regexp) refuses: look-around, back-references, atomic groups, possessive quantifiers. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?[=!>]|\\(\\?<[=!]|\\\\[1-9]|[*+?}]\\+");

    private final Map<String, Set<Integer>> services = composeServices();
    private final List<Error> errors = new ArrayList<>();

    private MonitororConfig() {
    }

    static List<Error> validate(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            String id = e.getOriginalMessage().contains("Unrecognized character escape")
                    ? "ERROR_INVALID_ESCAPED_CHARACTER" : "ERROR_UNABLE_TO_PARSE_CONFIG";
            return List.of(new Error(id, e.getOriginalMessage()));
        }
        MonitororConfig check = new MonitororConfig();
        check.root(root);
        return check.errors;
    }

    /** docker-compose.yml's services and the ports their containers listen on ({@code "127.0.0.1:8081:8081"} → 8081). */
    static Map<String, Set<Integer>> composeServices() {
        try {
            JsonNode compose = new YAMLMapper().readTree(Compose.ROOT.resolve("docker-compose.yml").toFile());
            Map<String, Set<Integer>> services = new HashMap<>();
            compose.get("services").fields().forEachRemaining(service -> {
                Set<Integer> ports = new HashSet<>();
                service.getValue().path("ports").forEach(port -> {
                    String mapping = port.asText();
                    ports.add(Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1)));
                });
                services.put(service.getKey(), ports);
            });
            return services;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void root(JsonNode root) {
        unknownFields(root, ROOT_FIELDS);
        JsonNode version = root.get("version");
        if (version == null) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"version\" field is missing.");
        } else if (!version.isTextual() || !"2.0".equals(version.asText())) {
            error("ERROR_UNSUPPORTED_VERSION", "version " + version + " is not supported, only \"2.0\"");
        }
        JsonNode columns = root.get("columns");
        if (columns == null) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"columns\" field is missing.");
        } else if (!columns.isIntegralNumber() || columns.asInt() <= 0) {
            error("ERROR_FIELD_TYPE_MISMATCH", "\"columns\" must be an integer > 0, was " + columns);
        }
        tiles(root, false);
    }

    private void tiles(JsonNode parent, boolean inGroup) {
        JsonNode tiles = parent.get("tiles");
        if (tiles == null || !tiles.isArray() || tiles.isEmpty()) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"tiles\" field. Must be a non-empty array.");
            return;
        }
        tiles.forEach(tile -> tile(tile, inGroup));
    }

    private void tile(JsonNode tile, boolean inGroup) {
        unknownFields(tile, TILE_FIELDS);
        String type = tile.path("type").asText();
        boolean group = "GROUP".equals(type);
        String misplaced = group ? "params" : "tiles";
        if (group && inGroup) {
            error("ERROR_UNAUTHORIZED_SUBTILE_TYPE", "Unauthorized \"GROUP\" type in GROUP tile.");
        } else if (!group && !PARAMS.containsKey(type)) {
            error("ERROR_UNKNOWN_TILE_TYPE", "Unknown \"" + type + "\" type in tile definition.");
        } else if (tile.has(misplaced)) {
            error("ERROR_UNAUTHORIZED_FIELD", "Unauthorized \"" + misplaced + "\" key in " + type + " tile definition.");
        } else if (group) {
            tiles(tile, true);
        } else if (!tile.path("params").isObject()) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Missing \"params\" key in " + type + " tile definition.");
        } else {
            params(type, tile.get("params"));
        }
    }

    private void params(String type, JsonNode params) {
        if (unknownFields(params, PARAMS.get(type)) || !requiredText(params, "url")) {
            return;
        }
        String url = params.get("url").asText();
        if (!isComposeService(url)) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"url\" field: " + url
                    + " is not http://<service>:<port>/ of a service of docker-compose.yml on its container's port " + services);
        }
        JsonNode max = params.get("statusCodeMax");
        if (max != null && !max.isIntegralNumber()) {
            error("ERROR_UNEXPECTED", "json: cannot unmarshal " + max + " into Go struct field statusCodeMax of type int");
        } else if (max != null && max.asInt() < 200) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"statusCodeMin\" field. Must be statusCodeMin <= statusCodeMax.");
        }
        JsonNode regex = params.get("regex");
        if (regex != null && regex.asText().isEmpty()) {
            // Monitoror drops the empty value when it re-marshals the params, then finds an unknown field.
            error("ERROR_UNKNOWN_FIELD", "Unknown \"regex\" tile params field.");
        } else if (regex != null && !isRe2(regex.asText())) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"regex\" field. Must be a valid golang regex.");
        }
        if ("HTTP-FORMATTED".equals(type) && requiredText(params, "format") && requiredText(params, "key")) {
            if (!"JSON".equals(params.get("format").asText())) {
                error("ERROR_INVALID_FIELD_VALUE", "Invalid \"format\" field: this board reads \"JSON\" (Monitoror: upper case)");
            }
            if (!KEY.matcher(params.get("key").asText()).matches()) {
                error("ERROR_INVALID_FIELD_VALUE", "Invalid \"key\" field: " + params.get("key").asText()
                        + " (plain names joined by dots; Monitoror reads checks[0] as one name)");
            }
        }
    }

    private boolean isComposeService(String url) {
        try {
            URI uri = new URI(url);
            return "http".equals(uri.getScheme()) && services.getOrDefault(uri.getHost(), Set.of()).contains(uri.getPort());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isRe2(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return false;
        }
        return !NOT_RE2.matcher(regex).find();
    }

    private boolean requiredText(JsonNode params, String field) {
        JsonNode value = params.get(field);
        if (value == null || (value.isTextual() && value.asText().isEmpty())) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"" + field + "\" field is missing.");
            return false;
        }
        if (!value.isTextual()) {
            error("ERROR_UNEXPECTED", "json: cannot unmarshal " + value + " into Go struct field " + field + " of type string");
            return false;
        }
        return true;
    }

    /** Monitoror decodes strictly: a field it does not know (a typo too) refuses the whole config. */
    private boolean unknownFields(JsonNode node, Set<String> known) {
        boolean found = false;
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!known.contains(field)) {
                error("ERROR_UNKNOWN_FIELD", "json: unknown field \"" + field + "\"");
                found = true;
            }
        }
        return found;
    }

    private void error(String id, String message) {
        errors.add(new Error(id, message));
    }
}
