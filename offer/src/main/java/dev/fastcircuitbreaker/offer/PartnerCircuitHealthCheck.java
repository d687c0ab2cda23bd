package dev.fastcircuitbreaker.offer;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.health.api.Wellness;

/**
 * Wellness ({@code /q/health/well}): UP while the circuit to partner-offer is CLOSED, DOWN when it is OPEN or
 * HALF_OPEN. Deliberately not a readiness check: with the circuit open, offer still serves cold offers, and
 * taking it out of a load balancer would turn a degraded answer into no answer.
 */
@Wellness
@ApplicationScoped
public class PartnerCircuitHealthCheck implements HealthCheck {

    private final PartnerCircuit circuit;

    PartnerCircuitHealthCheck(PartnerCircuit circuit) {
        this.circuit = circuit;
    }

    @Override
    public HealthCheckResponse call() {
        PartnerCircuit.Snapshot snapshot = circuit.snapshot();
        return HealthCheckResponse.named("partner-offer-circuit")
                .status(CircuitBreakerState.CLOSED.name().equals(snapshot.state()))
                .withData("state", snapshot.state())
                .withData("failures", snapshot.failures())
                .withData("failuresToOpen", snapshot.failuresToOpen())
                .build();
    }
}
