package dev.fastcircuitbreaker.offer;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * What the {@value PartnerOfferClient#CIRCUIT} circuit breaker is doing, in the words of the demo: its state (as
 * SmallRye Fault Tolerance reports its changes), the policy in force, the consecutive failures that open it, and how
 * many calls reached the partner or were turned away, counted where their outcome is known.
 */
@ApplicationScoped
public class PartnerCircuit {

    private static final Logger LOG = Logger.getLogger(PartnerCircuit.class);

    private final CircuitBreakerMaintenance maintenance;
    private final PartnerPolicy policy;
    private final CircuitEvents events;

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final LongAdder partnerCalls = new LongAdder();
    private final LongAdder partnerFailures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    // State and time of change are read together, so a snapshot never pairs a new state with an old time.
    private volatile Change lastChange = new Change(CircuitBreakerState.CLOSED, Instant.now());

    PartnerCircuit(CircuitBreakerMaintenance maintenance, PartnerPolicy policy, CircuitEvents events) {
        this.maintenance = maintenance;
        this.policy = policy;
        this.events = events;
    }

    void listen(@Observes StartupEvent start) {
        LOG.infof("CircuitBreaker '%s' opens after %d consecutive failures, tries again after %s, times out after %s",
                PartnerOfferClient.CIRCUIT, policy.failuresToOpen(), policy.delay(), policy.timeout());
        maintenance.onStateChange(PartnerOfferClient.CIRCUIT, this::changedTo);
    }

    // Called by SmallRye on the thread that made the change (an event loop, or its timer for HALF_OPEN): keep it short.
    private synchronized void changedTo(CircuitBreakerState state) {
        if (state == CircuitBreakerState.CLOSED) {
            consecutiveFailures.set(0);
        }
        LOG.infof("CircuitBreaker '%s' changed state from %s to %s", PartnerOfferClient.CIRCUIT, lastChange.state(), state);
        Change from = lastChange;
        lastChange = new Change(state, Instant.now());
        events.stateChanged(from.state(), state, lastChange.at(),
                state == CircuitBreakerState.CLOSED ? 0 : policy.failuresToOpen(), nextTrialAt(lastChange));
    }

    /** A partner call the breaker counted as a success: the hot offer came back. */
    void succeeded() {
        partnerCalls.increment();
        consecutiveFailures.set(0);
        events.succeeded();
    }

    /** A partner call the breaker counted as a failure, for {@code reason} (the cold offer's). */
    void failed(String reason) {
        partnerCalls.increment();
        partnerFailures.increment();
        int failures = consecutiveFailures.updateAndGet(count -> Math.min(count + 1, policy.failuresToOpen()));
        events.failed(reason, failures);
    }

    /** A call the open (or half-open, busy) circuit turned away without calling the partner. */
    void rejected() {
        rejected.increment();
        events.rejected();
    }

    public Snapshot snapshot() {
        Change change = lastChange;
        int failuresToOpen = policy.failuresToOpen();
        // With failureRatio 1.0 the breaker is CLOSED while fewer than failuresToOpen calls in a row failed, and
        // left CLOSED because that many did: the state, not a count racing with it, bounds what is shown.
        int failures = change.state() == CircuitBreakerState.CLOSED
                ? Math.min(consecutiveFailures.get(), failuresToOpen - 1)
                : failuresToOpen;
        Instant nextTrialAt = nextTrialAt(change);
        return new Snapshot(PartnerOfferClient.CIRCUIT, change.state().name(), failures, failuresToOpen,
                policy.delay().toSeconds(), policy.timeout().toMillis(), partnerCalls.sum(), partnerFailures.sum(),
                rejected.sum(), change.at().toString(), nextTrialAt == null ? null : nextTrialAt.toString());
    }

    private Instant nextTrialAt(Change change) {
        return change.state() == CircuitBreakerState.OPEN ? change.at().plus(policy.delay()) : null;
    }

    private record Change(CircuitBreakerState state, Instant at) {
    }

    /**
     * The circuit at one moment, as {@code GET /circuit} shows it. {@code failures} are the consecutive failures now
     * (0 to {@code failuresToOpen}); {@code failuresToOpen}, {@code delaySeconds} and {@code timeoutMillis} are the
     * policy in force; {@code partnerCalls}, {@code partnerFailures} and {@code rejected} are totals since start;
     * {@code nextTrialAt} is there only while the circuit is OPEN.
     */
    @RegisterForReflection
    public record Snapshot(String name, String state, int failures, int failuresToOpen, long delaySeconds,
            long timeoutMillis, long partnerCalls, long partnerFailures, long rejected, String stateChangedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String nextTrialAt) {
    }
}
