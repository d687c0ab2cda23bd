package dev.fastcircuitbreaker.partneroffer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class OfferResourceTest {

    @Test
    void answersAHotOffer() {
        given().accept(ContentType.JSON)
                .when().get("/offers")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("id", equalTo("hot-42"))
                .body("type", equalTo("hot"))
                .body("description", notNullValue())
                .body("price", equalTo(9.99f));
    }

    @Test
    void isLiveAndReadyOnceWarmedUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'warm-up' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'warm-up' }.data.requests", equalTo(2000));
    }
}
