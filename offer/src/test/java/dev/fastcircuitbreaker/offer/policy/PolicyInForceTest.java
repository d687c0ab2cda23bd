package dev.fastcircuitbreaker.offer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The keys SmallRye Fault Tolerance honours for {@code PartnerOfferClient#hotOffer}, besides Quarkus' own
 * ({@code CircuitOverriddenByKeyTest}): the specification's, SmallRye's, the global ones, and the units.
 */
class PolicyInForceTest {

    private static final String HOT_OFFER = "dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer";

    @Test
    void takesTheAnnotationsNumbersWhenNoKeyIsSet() throws Exception {
        assertEquals(new PartnerPolicy(3, 1.0, Duration.ofSeconds(15), Duration.ofMillis(1000)), policy(Map.of()));
    }

    @Test
    void takesTheSpecificationsKeysOnTheMethod() throws Exception {
        assertEquals(new PartnerPolicy(5, 1.0, Duration.ofSeconds(20), Duration.ofMillis(800)), policy(Map.of(
                HOT_OFFER + "/CircuitBreaker/requestVolumeThreshold", "5",
                HOT_OFFER + "/CircuitBreaker/delay", "20",
                HOT_OFFER + "/Timeout/value", "800")));
    }

    @Test
    void takesTheDelayAndTimeoutInTheUnitsTheKeysGive() throws Exception {
        PartnerPolicy policy = policy(Map.of(
                "smallrye.faulttolerance.\"" + HOT_OFFER + "\".circuit-breaker.delay", "500",
                "smallrye.faulttolerance.\"" + HOT_OFFER + "\".circuit-breaker.delay-unit", "millis",
                HOT_OFFER + "/Timeout/unit", "SECONDS"));
        assertEquals(Duration.ofMillis(500), policy.delay());
        assertEquals(Duration.ofSeconds(1000), policy.timeout());
    }

    @Test
    void takesAGlobalKeyUnlessOneOnTheMethodIsSet() throws Exception {
        assertEquals(Duration.ofSeconds(30), policy(Map.of("smallrye.faulttolerance.global.circuit-breaker.delay", "30")).delay());
        assertEquals(7, policy(Map.of("CircuitBreaker/requestVolumeThreshold", "7")).failuresToOpen());
        assertEquals(4, policy(Map.of("CircuitBreaker/requestVolumeThreshold", "7",
                HOT_OFFER + "/CircuitBreaker/requestVolumeThreshold", "4")).failuresToOpen());
    }

    @Test
    void refusesAFailureRatioThatCountsFailuresNotInARow() {
        assertThrows(IllegalStateException.class,
                () -> policy(Map.of("smallrye.faulttolerance.global.circuit-breaker.failure-ratio", "0.5")));
    }

    private static PartnerPolicy policy(Map<String, String> keys) throws Exception {
        Config config = new SmallRyeConfigBuilder().withDefaultValues(keys).build();
        return PolicyInForce.policy(config);
    }
}
