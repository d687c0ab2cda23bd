package dev.fastcircuitbreaker.partneroffer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A latency set in the configuration is in force from the start, and the warm-up is not delayed by it. */
@QuarkusTest
@TestProfile(ConfiguredLatencyTest.OneHour.class)
class ConfiguredLatencyTest {

    public static class OneHour implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("partner-offer.latency", "1h");
        }
    }

    @Test
    void isReadyAsFastAsWithoutOne() {
        // Delayed by an hour each, the warm-up's requests would keep partner-offer from being ready for hours.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/latency").then().statusCode(200).body(equalTo("3600000ms"));
    }
}
