package dev.fastcircuitbreaker.partneroffer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** partner-offer's response latency: 0 by default, set while it runs, and what GET /offers then takes. */
@QuarkusTest
class LatencyResourceTest {

    @TestHTTPResource("/offers")
    URI offers;

    // The latency is in force once partner-offer is ready (its warm-up is never delayed).
    @BeforeEach
    void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @AfterEach
    void noLatency() {
        put("0").statusCode(200);
    }

    @Test
    void isZeroByDefault() {
        given().get("/latency").then().statusCode(200).contentType(ContentType.TEXT).body(equalTo("0ms"));
    }

    @Test
    void delaysOffersByTheLatencySet() {
        put("300ms").statusCode(200).contentType(ContentType.TEXT).body(equalTo("300ms"));
        given().get("/latency").then().statusCode(200).body(equalTo("300ms"));

        given().accept(ContentType.JSON).get("/offers")
                .then().statusCode(200).body("type", equalTo("hot"))
                .time(greaterThanOrEqualTo(300L));
    }

    @Test
    void takesTheSyntaxOfTheConfiguration() {
        put("1.5s").statusCode(200).body(equalTo("1500ms"));
        put("PT0.25S").statusCode(200).body(equalTo("250ms"));
        put("2").statusCode(200).body(equalTo("2000ms"));
    }

    @Test
    void refusesWhatIsNotALatency() {
        put("300ms").statusCode(200);
        for (String notALatency : List.of("fast", "-1s", "300 ms", "", "99999999999999999h")) {
            put(notALatency).statusCode(400)
                    .contentType(ContentType.JSON)
                    .body("status", equalTo(400))
                    .body("error", equalTo("a latency is a duration of 0 or more, such as 300ms, 1.5s or 0"));
        }
        given().get("/latency").then().body(equalTo("300ms"));
    }

    @Test
    void goesBackToZero() {
        put("300ms").statusCode(200);
        put("0").statusCode(200).body(equalTo("0ms"));
        given().get("/latency").then().body(equalTo("0ms"));
        given().get("/offers").then().statusCode(200).body("type", equalTo("hot"));
    }

    @Test
    void delaysHundredsOfOffersAtOnce() {
        put("200ms").statusCode(200);
        HttpClient client = HttpClient.newHttpClient();
        long began = System.nanoTime();
        List<CompletableFuture<Answer>> answers = IntStream.range(0, 500)
                .mapToObj(i -> client.sendAsync(HttpRequest.newBuilder(offers).build(), HttpResponse.BodyHandlers.ofString())
                        .thenApply(response -> new Answer(response, Duration.ofNanos(System.nanoTime() - began))))
                .toList();

        assertAll(answers.stream().map(CompletableFuture::join).map(answer -> () -> {
            assertEquals(200, answer.response().statusCode());
            assertTrue(answer.response().body().contains("\"type\":\"hot\""), answer.response().body());
            assertTrue(answer.after().toMillis() >= 200, "answered after " + answer.after());
        }));
    }

    private record Answer(HttpResponse<String> response, Duration after) {
    }

    private static ValidatableResponse put(String latency) {
        return given().contentType(ContentType.TEXT).body(latency).put("/latency").then();
    }
}
