package dev.fastcircuitbreaker.offer;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * What the {@value PartnerOfferClient#CIRCUIT} circuit breaker is doing, in the words of the demo: its state, the
 * consecutive failures that open it, and how many calls reached the partner or were turned away. The state itself
 * always comes from SmallRye Fault Tolerance; this class only counts and logs.
 */
@ApplicationScoped
public class PartnerCircuit {

    /** {@code requestVolumeThreshold} with {@code failureRatio = 1.0}: this many consecutive failures open it. */
    static final int FAILURES_TO_OPEN = 3;

    private static final Logger LOG = Logger.getLogger(PartnerCircuit.class);

    private final CircuitBreakerMaintenance maintenance;
    private final long delaySeconds;

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final LongAdder partnerCalls = new LongAdder();
    private final LongAdder partnerFailures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private CircuitBreakerState lastState = CircuitBreakerState.CLOSED;
    private volatile Instant stateChangedAt = Instant.now();

    PartnerCircuit(CircuitBreakerMaintenance maintenance,
            @ConfigProperty(name = "partner-offer.circuit-delay-seconds") long delaySeconds) {
        this.maintenance = maintenance;
        this.delaySeconds = delaySeconds;
    }

    void listen(@Observes StartupEvent start) {
        maintenance.onStateChange(PartnerOfferClient.CIRCUIT, this::changedTo);
    }

    // Called by SmallRye on the thread that made the change (an event loop, or its timer for HALF_OPEN): keep it short.
    private synchronized void changedTo(CircuitBreakerState state) {
        stateChangedAt = Instant.now();
        if (state == CircuitBreakerState.CLOSED) {
            consecutiveFailures.set(0);
        }
        LOG.infof("CircuitBreaker '%s' changed state from %s to %s", PartnerOfferClient.CIRCUIT, lastState, state);
        lastState = state;
    }

    /** Counts one answer of {@link PartnerOfferClient#hotOffer()}: a hot offer, a failure, or a call the open circuit turned away. */
    void record(Offer offer) {
        if (offer.isHot()) {
            partnerCalls.increment();
            consecutiveFailures.set(0);
        } else if (Offer.CIRCUIT_OPEN.equals(offer.reason())) {
            rejected.increment();
        } else {
            partnerCalls.increment();
            partnerFailures.increment();
            consecutiveFailures.updateAndGet(failures -> Math.min(failures + 1, FAILURES_TO_OPEN));
        }
    }

    public Snapshot snapshot() {
        CircuitBreakerState state = maintenance.currentState(PartnerOfferClient.CIRCUIT);
        Instant changedAt = stateChangedAt;
        String nextTrialAt = state == CircuitBreakerState.OPEN ? changedAt.plusSeconds(delaySeconds).toString() : null;
        return new Snapshot(PartnerOfferClient.CIRCUIT, state.name(), consecutiveFailures.get(), partnerCalls.sum(),
                partnerFailures.sum(), rejected.sum(), changedAt.toString(), nextTrialAt);
    }

    /**
     * The circuit at one moment, as {@code GET /circuit} shows it. {@code failures} are the consecutive failures now
     * (0 to 3); {@code partnerCalls}, {@code partnerFailures} and {@code rejected} are totals since start;
     * {@code nextTrialAt} is there only while the circuit is OPEN.
     */
    @RegisterForReflection
    public record Snapshot(String name, String state, int failures, long partnerCalls, long partnerFailures,
            long rejected, String stateChangedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String nextTrialAt) {
    }
}
