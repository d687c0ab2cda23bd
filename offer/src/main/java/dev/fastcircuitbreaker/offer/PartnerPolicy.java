package dev.fastcircuitbreaker.offer;

import java.time.Duration;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import io.smallrye.faulttolerance.config.FaultToleranceOperation;

/**
 * The policy in force on {@link PartnerOfferClient#hotOffer()} and {@link OfferDesk#offer()}: the annotations' numbers,
 * or their {@code quarkus.fault-tolerance."…PartnerOfferClient/hotOffer".…} (and {@code …OfferDesk/offer…}) overrides,
 * read from the very operations SmallRye Fault Tolerance built for the methods, so that every view shows what the
 * breaker, the timeout and the bulkhead really use. {@link OfferDesk#policy} makes the one instance.
 */
public class PartnerPolicy {

    private final int failuresToOpen;
    private final Duration delay;
    private final Duration timeout;
    private final int concurrentCalls;

    PartnerPolicy(FaultToleranceOperation hotOffer, FaultToleranceOperation desk) {
        CircuitBreaker breaker = hotOffer.getCircuitBreaker();
        // "failures in a row" is what the window means only when every call in it must have failed.
        if (breaker.failureRatio() != 1.0) {
            throw new IllegalStateException("PartnerOfferClient#hotOffer needs failureRatio 1.0, not " + breaker.failureRatio());
        }
        failuresToOpen = breaker.requestVolumeThreshold();
        delay = Duration.of(breaker.delay(), breaker.delayUnit());
        Timeout hotOfferTimeout = hotOffer.getTimeout();
        timeout = Duration.of(hotOfferTimeout.value(), hotOfferTimeout.unit());
        concurrentCalls = desk.getBulkhead().value();
    }

    /** This many consecutive failed partner calls open the circuit. */
    public int failuresToOpen() {
        return failuresToOpen;
    }

    /** How long the circuit stays OPEN before it lets one trial call through. */
    public Duration delay() {
        return delay;
    }

    /** A partner call slower than this has failed. */
    public Duration timeout() {
        return timeout;
    }

    /** At most this many partner calls at once; a caller over it gets an {@value Offer#OFFER_BUSY} cold offer. */
    public int concurrentCalls() {
        return concurrentCalls;
    }
}
