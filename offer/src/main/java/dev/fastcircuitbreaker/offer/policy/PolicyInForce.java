package dev.fastcircuitbreaker.offer.policy;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import io.smallrye.faulttolerance.FaultToleranceOperationProvider;
import io.smallrye.faulttolerance.config.FaultToleranceOperation;

/**
 * Reads the {@link PartnerPolicy} back from the operations SmallRye Fault Tolerance built for the guarded methods.
 * SmallRye's API tells no effective values (annotation or override); its implementation classes do, used here only.
 */
final class PolicyInForce {

    private PolicyInForce() {
    }

    // The methods are registered for reflection by the Fault Tolerance extension, as every guarded method is.
    @Produces
    @Singleton
    static PartnerPolicy policy(FaultToleranceOperationProvider operations) throws NoSuchMethodException {
        FaultToleranceOperation hotOffer = operations.get(PartnerOfferClient.class,
                PartnerOfferClient.class.getDeclaredMethod("hotOffer"));
        CircuitBreaker breaker = hotOffer.getCircuitBreaker();
        // "failures in a row" is what the window means only when every call in it must have failed.
        if (breaker.failureRatio() != 1.0) {
            throw new IllegalStateException("PartnerOfferClient#hotOffer needs failureRatio 1.0, not " + breaker.failureRatio());
        }
        Timeout timeout = hotOffer.getTimeout();
        return new PartnerPolicy(breaker.requestVolumeThreshold(), Duration.of(breaker.delay(), breaker.delayUnit()),
                Duration.of(timeout.value(), timeout.unit()));
    }
}
