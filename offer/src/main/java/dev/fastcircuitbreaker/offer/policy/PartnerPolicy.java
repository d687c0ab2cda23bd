package dev.fastcircuitbreaker.offer.policy;

import java.time.Duration;

import dev.fastcircuitbreaker.offer.PartnerOfferClient;

/**
 * The policy in force on {@link PartnerOfferClient#hotOffer()}: its annotations' numbers, or the
 * {@code quarkus.fault-tolerance."…".…} overrides of them, as SmallRye Fault Tolerance uses them ({@link PolicyInForce}
 * reads them). Every view shows these.
 *
 * @param failuresToOpen this many consecutive failed partner calls open the circuit ({@code @CircuitBreaker})
 * @param failureRatio the share of those calls that must have failed: always 1.0, so that they are consecutive
 * @param delay how long the circuit stays OPEN before it lets one trial call through ({@code @CircuitBreaker})
 * @param timeout a partner call slower than this has failed ({@code @Timeout})
 */
public record PartnerPolicy(int failuresToOpen, double failureRatio, Duration delay, Duration timeout) {
}
