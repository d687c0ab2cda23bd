package dev.fastcircuitbreaker.e2e;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Checks a Monitoror 4.0.1 {@code config.json} the way its core does (shared/docs/monitoror.md §1-2), so that a board
 * which Monitoror would refuse fails a test here, where Monitoror itself cannot run. Errors carry Monitoror's ids.
 */
final class MonitororConfig {

    record Error(String id, String message) {
        @Override
        public String toString() {
            return id + ": " + message;
        }
    }

    static final Set<String> ROOT_FIELDS = Set.of("version", "columns", "zoom", "tiles");
    static final Set<String> TILE_FIELDS = Set.of("type", "label", "params", "columnSpan", "rowSpan", "configVariant", "tiles");
    static final Map<String, Set<String>> PARAMS = Map.of(
            "HTTP-STATUS", Set.of("url", "statusCodeMin", "statusCodeMax"),
            "HTTP-RAW", Set.of("url", "statusCodeMin", "statusCodeMax", "regex"),
            "HTTP-FORMATTED", Set.of("url", "statusCodeMin", "statusCodeMax", "regex", "format", "key"),
            "PORT", Set.of("hostname", "port"),
            "PING", Set.of("hostname"));
    static final Set<String> FORMATS = Set.of("JSON", "YAML", "XML");

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final Pattern KEY_SEGMENT = Pattern.compile("\"[^\"]*\"|[^.]+");
    private static final Pattern INDEX = Pattern.compile("\\[\\d*]");
    /** Java regex syntax that RE2 (Go's regexp) refuses: look-around, back-references, atomic groups, possessive quantifiers. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?[=!>]|\\(\\?<[=!]|\\\\[1-9]|[*+?}]\\+");

    private final List<Error> errors = new ArrayList<>();

    private MonitororConfig() {
    }

    static List<Error> validate(String json) {
        MonitororConfig check = new MonitororConfig();
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            String id = e.getOriginalMessage().contains("Unrecognized character escape")
                    ? "ERROR_INVALID_ESCAPED_CHARACTER" : "ERROR_UNABLE_TO_PARSE_CONFIG";
            return List.of(new Error(id, e.getOriginalMessage()));
        }
        check.root(root);
        return check.errors;
    }

    private void root(JsonNode root) {
        if (!root.isObject()) {
            error("ERROR_UNABLE_TO_PARSE_CONFIG", "the config is not a JSON object");
            return;
        }
        JsonNode version = root.get("version");
        if (version == null) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"version\" field is missing.");
            return;
        }
        if (!version.isTextual() || !VERSION.matcher(version.asText()).matches()) {
            error("ERROR_UNABLE_TO_PARSE_CONFIG", "version must be a string like \"2.0\", was " + version);
            return;
        }
        if (!"2.0".equals(version.asText())) {
            error("ERROR_UNSUPPORTED_VERSION", "version " + version.asText() + " is not supported, only \"2.0\"");
            return;
        }
        unknownFields(root, ROOT_FIELDS);
        positiveInt(root, "columns", true, "ERROR_FIELD_TYPE_MISMATCH");
        JsonNode zoom = root.get("zoom");
        if (zoom != null && (!zoom.isNumber() || zoom.asDouble() <= 0 || zoom.asDouble() > 10)) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"zoom\" field. Must be > 0 and <= 10.");
        }
        JsonNode tiles = root.get("tiles");
        if (tiles == null) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"tiles\" field is missing.");
        } else if (!tiles.isArray() || tiles.isEmpty()) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"tiles\" field. Must be a non-empty array.");
        } else {
            tiles.forEach(tile -> tile(tile, false));
        }
    }

    private void tile(JsonNode tile, boolean inGroup) {
        int before = errors.size();
        if (!tile.isObject()) {
            error("ERROR_FIELD_TYPE_MISMATCH", "a tile must be an object: " + tile);
            return;
        }
        unknownFields(tile, TILE_FIELDS);
        JsonNode type = tile.get("type");
        if (type == null || !type.isTextual()) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Required \"type\" field is missing.");
            return;
        }
        String name = type.asText();
        if (!"GROUP".equals(name) && !"EMPTY".equals(name) && !PARAMS.containsKey(name)) {
            error("ERROR_UNKNOWN_TILE_TYPE", "Unknown \"" + name + "\" type in tile definition.");
            return;
        }
        if (inGroup && ("GROUP".equals(name) || "EMPTY".equals(name))) {
            error("ERROR_UNAUTHORIZED_SUBTILE_TYPE", "Unauthorized \"" + name + "\" type in GROUP tile.");
            return;
        }
        if (tile.has("label") && !tile.get("label").isTextual()) {
            error("ERROR_FIELD_TYPE_MISMATCH", "\"label\" must be a string");
        }
        positiveInt(tile, "columnSpan", false, "ERROR_FIELD_TYPE_MISMATCH");
        positiveInt(tile, "rowSpan", false, "ERROR_FIELD_TYPE_MISMATCH");
        JsonNode variant = tile.get("configVariant");
        if (variant != null && !"default".equals(variant.asText())) {
            error("ERROR_UNKNOWN_VARIANT", "Unknown \"" + variant.asText() + "\" variant for " + name + " type.");
        }
        if (errors.size() > before) {
            return;
        }
        switch (name) {
            case "EMPTY" -> {
            }
            case "GROUP" -> group(tile);
            default -> params(name, tile);
        }
    }

    private void group(JsonNode tile) {
        if (tile.has("params")) {
            error("ERROR_UNAUTHORIZED_FIELD", "Unauthorized \"params\" key in GROUP tile definition.");
            return;
        }
        JsonNode tiles = tile.get("tiles");
        if (tiles == null || !tiles.isArray() || tiles.isEmpty()) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"tiles\" field in GROUP tile. Must be a non-empty array.");
            return;
        }
        tiles.forEach(sub -> tile(sub, true));
    }

    private void params(String type, JsonNode tile) {
        if (tile.has("tiles")) {
            error("ERROR_UNAUTHORIZED_FIELD", "Unauthorized \"tiles\" key in " + type + " tile definition.");
            return;
        }
        JsonNode params = tile.get("params");
        if (params == null || !params.isObject()) {
            error("ERROR_MISSING_REQUIRED_FIELD", "Missing \"params\" key in " + type + " tile definition.");
            return;
        }
        Set<String> known = PARAMS.get(type);
        for (Iterator<String> names = params.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!known.contains(field)) {
                error("ERROR_UNKNOWN_FIELD", "Unknown \"" + field + "\" tile params field.");
                return;
            }
        }
        if (type.startsWith("HTTP-")) {
            httpParams(type, params);
        } else {
            if (!requiredText(params, "hostname")) {
                return;
            }
            if ("PORT".equals(type)) {
                JsonNode port = params.get("port");
                if (port == null) {
                    error("ERROR_MISSING_REQUIRED_FIELD", "Required \"port\" field is missing.");
                } else if (!port.isIntegralNumber()) {
                    error("ERROR_UNEXPECTED", "json: cannot unmarshal " + port + " into Go struct field of type int");
                } else if (port.asInt() <= 0) {
                    error("ERROR_INVALID_FIELD_VALUE", "Invalid \"port\" field. Must be > 0.");
                }
            }
        }
    }

    private void httpParams(String type, JsonNode params) {
        if (!requiredText(params, "url")) {
            return;
        }
        String url = params.get("url").asText();
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"url\" field. Must be start with \"http://\" or \"https://\".");
            return;
        }
        try {
            if (new URI(url).getHost() == null) {
                throw new URISyntaxException(url, "no host");
            }
        } catch (URISyntaxException e) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"url\" field. Must be a valid URL.");
            return;
        }
        for (String code : List.of("statusCodeMin", "statusCodeMax")) {
            JsonNode value = params.get(code);
            if (value != null && !value.isIntegralNumber()) {
                error("ERROR_UNEXPECTED", "json: cannot unmarshal " + value + " into Go struct field " + code + " of type int");
                return;
            }
        }
        if (params.path("statusCodeMin").asInt(200) > params.path("statusCodeMax").asInt(399)) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"statusCodeMin\" field. Must be statusCodeMin <= statusCodeMax.");
            return;
        }
        JsonNode regex = params.get("regex");
        if (regex != null) {
            if (regex.isTextual() && regex.asText().isEmpty()) {
                // Monitoror drops the empty value when it re-marshals the params, then finds an unknown field.
                error("ERROR_UNKNOWN_FIELD", "Unknown \"regex\" tile params field.");
                return;
            }
            if (!regex.isTextual() || !isRe2(regex.asText())) {
                error("ERROR_INVALID_FIELD_VALUE", "Invalid \"regex\" field. Must be a valid golang regex.");
                return;
            }
        }
        if ("HTTP-FORMATTED".equals(type)) {
            if (!requiredText(params, "format") || !requiredText(params, "key")) {
                return;
            }
            if (!FORMATS.contains(params.get("format").asText())) {
                error("ERROR_INVALID_FIELD_VALUE", "Invalid \"format\" field. Must be one of [JSON, XML, YAML].");
                return;
            }
            String key = params.get("key").asText();
            if (!isKey(key)) {
                error("ERROR_INVALID_FIELD_VALUE", "Invalid \"key\" field: " + key
                        + " (a dotted path; array indexes are their own segment, as in checks.[0].status)");
            }
        }
    }

    static boolean isRe2(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return false;
        }
        return !NOT_RE2.matcher(regex).find();
    }

    /** Monitoror splits keys on {@code "[^"]*"|[^.]+}; a segment with brackets in it must be exactly an index. */
    static boolean isKey(String key) {
        if (key.isEmpty() || ".".equals(key)) {
            return false;
        }
        List<String> segments = keySegments(key);
        if (segments.isEmpty() || !String.join(".", segments).equals(key.startsWith(".") ? key.substring(1) : key)) {
            return false;
        }
        return segments.stream().allMatch(segment -> segment.startsWith("\"")
                || (!segment.contains("[") && !segment.contains("]")) || INDEX.matcher(segment).matches());
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

    private void positiveInt(JsonNode node, String field, boolean required, String typeError) {
        JsonNode value = node.get(field);
        if (value == null) {
            if (required) {
                error("ERROR_MISSING_REQUIRED_FIELD", "Required \"" + field + "\" field is missing.");
            }
        } else if (!value.isIntegralNumber()) {
            error(typeError, "\"" + field + "\" must be an integer, was " + value);
        } else if (value.asInt() <= 0) {
            error("ERROR_INVALID_FIELD_VALUE", "Invalid \"" + field + "\" field. Must be > 0.");
        }
    }

    private void unknownFields(JsonNode node, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!known.contains(field)) {
                error("ERROR_UNKNOWN_FIELD", "json: unknown field \"" + field + "\"");
            }
        }
    }

    private void error(String id, String message) {
        errors.add(new Error(id, message));
    }

    /** Monitoror's key syntax, shared by the validator and the tile evaluation. */
    static List<String> keySegments(String key) {
        return KEY_SEGMENT.matcher(key).results().map(MatchResult::group).toList();
    }
}
