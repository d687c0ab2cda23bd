package dev.fastcircuitbreaker.offer;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.health.api.Wellness;

/**
 * Wellness ({@code /q/health/well}): UP while the circuit to partner-offer is CLOSED, DOWN when it is OPEN or
 * HALF_OPEN, as the breaker itself tells. Deliberately not a readiness check: with the circuit open, offer still serves
 * cold offers, and taking it out of a load balancer would turn a degraded answer into no answer.
 */
@Wellness
@ApplicationScoped
public class PartnerCircuitHealthCheck implements HealthCheck {

    private final CircuitBreakerMaintenance breakers;

    PartnerCircuitHealthCheck(CircuitBreakerMaintenance breakers) {
        this.breakers = breakers;
    }

    @Override
    public HealthCheckResponse call() {
        CircuitBreakerState state = breakers.currentState(PartnerOfferClient.CIRCUIT);
        return HealthCheckResponse.named("partner-offer-circuit")
                .status(state == CircuitBreakerState.CLOSED)
                .withData("state", state.name())
                .build();
    }
}
