package dev.fastcircuitbreaker.partneroffer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A fresh partner-offer's {@code http_server_requests_seconds} counts its real callers only: none once warmed up, then
 * each call; its warm-up's requests are counted apart.
 */
@QuarkusTest
@TestProfile(WarmUpMetricsTest.Fresh.class)
class WarmUpMetricsTest {

    /** A start of its own, so that no other test's calls are in the count. */
    public static class Fresh implements QuarkusTestProfile {
    }

    @Test
    void countsEachRealCallAndTheWarmUpApart() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/q/health/ready").then().body("checks.find { it.name == 'warm-up' }.data.requests", equalTo(2000));
        assertEquals(0, offersServed(), "/offers requests in the metrics after the warm-up");
        assertEquals(2000, count("partner_offer_warm_up_requests_seconds_count{"), "the warm-up's own requests");

        for (int call = 1; call <= 5; call++) {
            given().get("/offers").then().statusCode(200);
            assertEquals(call, offersServed(), "/offers requests in the metrics after " + call + " calls");
        }
    }

    /** As e2e's ServiceProcess reads it: every {@code uri="/offers"} count of {@code http_server_requests_seconds}. */
    private static long offersServed() {
        return count("http_server_requests_seconds_count{");
    }

    private static long count(String meter) {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(meter) && line.contains("uri=\"/offers\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
