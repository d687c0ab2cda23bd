package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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

        /** The offer's reason, or what came instead of an offer. */
        String reason() {
            if (failure != null) {
                return failure;
            }
            return status == 200 && offer.path("type").isTextual() ? offer.path("reason").asText("no reason") : "status " + status;
        }

        /** A 200 with a hot or cold offer that says why. */
        boolean isOffer() {
            return status == 200 && Set.of("hot", "cold").contains(type()) && offer.path("reason").isTextual();
        }
    }

    /** One {@code GET /offers}, answered (or failed) within 30 s. */
    CompletableFuture<Answer> askAsync() {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/offers")).timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            if (failure != null) {
                return new Answer(0, MissingNode.getInstance(), failure.toString(), millis);
            }
            try {
                return new Answer(response.statusCode(), JSON.readTree(response.body()), null, millis);
            } catch (Exception notJson) {
                return new Answer(response.statusCode(), MissingNode.getInstance(), notJson.toString(), millis);
            }
        });
    }

    Answer ask() {
        return askAsync().join();
    }

    JsonPath circuit() {
        return given().baseUri(url).get("/circuit").then().statusCode(200).extract().jsonPath();
    }
}
