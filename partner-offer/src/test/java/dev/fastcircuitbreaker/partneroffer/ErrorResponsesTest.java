package dev.fastcircuitbreaker.partneroffer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** A bad request to partner-offer gets a small JSON error, as at offer: status and reason, no HTML page, no stack trace. */
@QuarkusTest
class ErrorResponsesTest {

    @Test
    void answersAnUnknownPathWith404() {
        expectJsonError(given().get("/no-such-thing").then(), 404, "Not Found");
    }

    @Test
    void answersAWrongMethodWith405() {
        expectJsonError(given().post("/offers").then(), 405, "Method Not Allowed");
    }

    @Test
    void answersAnUnsupportedAcceptWith406() {
        expectJsonError(given().accept("application/xml").get("/offers").then(), 406, "Not Acceptable");
    }

    private static void expectJsonError(ValidatableResponse response, int status, String error) {
        response.statusCode(status)
                .contentType("application/json")
                .body("size()", equalTo(2))
                .body("status", equalTo(status))
                .body("error", equalTo(error))
                .body(not(containsString("Exception")));
    }
}
