package dev.fastcircuitbreaker.offer.circuit;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import dev.fastcircuitbreaker.offer.admission.Admission;
import dev.fastcircuitbreaker.offer.admission.AdmittedOffers;
import dev.fastcircuitbreaker.offer.policy.PartnerPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * What the {@value PartnerOfferClient#CIRCUIT} circuit breaker is doing, in the words of the demo: its state (SmallRye
 * Fault Tolerance's own, through {@link CircuitBreakerMaintenance}), the policy in force, the consecutive failures
 * that open it (which SmallRye does not tell), and how many calls reached the partner or were turned away (SmallRye's
 * own {@code ft.circuitbreaker.calls.total} meters). It tells each failure and state change to {@link CircuitEvents}.
 */
@ApplicationScoped
public class PartnerCircuit {

    private static final Logger LOG = Logger.getLogger(PartnerCircuit.class);
    /** The guarded method, as SmallRye's meters tag it. */
    private static final String HOT_OFFER = PartnerOfferClient.class.getName() + ".hotOffer";

    private final CircuitBreakerMaintenance maintenance;
    private final PartnerPolicy policy;
    private final CircuitEvents events;
    private final Admission admission;

    private final MeterRegistry registry;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final LongAdder shed = new LongAdder();
    // The last change the events told. SmallRye keeps the state but tells no time, and its listener only the new state:
    // /circuit takes the times from here, the next change its "from". Written only in the events' order (announce).
    private volatile Change lastChange = new Change(CircuitBreakerState.CLOSED, Instant.now(), null);

    PartnerCircuit(CircuitBreakerMaintenance maintenance, PartnerPolicy policy, CircuitEvents events, Admission admission,
            MeterRegistry registry) {
        this.maintenance = maintenance;
        this.policy = policy;
        this.events = events;
        this.admission = admission;
        this.registry = registry;
        FunctionCounter.builder("offer.shed", shed, LongAdder::sum)
                .description("Callers answered offer-busy: no turn to call partner-offer in time, partner not called").register(registry);
    }

    void listen(@Observes StartupEvent start) {
        LOG.infof("CircuitBreaker '%s' opens after %d consecutive failures, tries again after %s, times out after %s",
                PartnerOfferClient.CIRCUIT, policy.failuresToOpen(), policy.delay(), policy.timeout());
        maintenance.onStateChange(PartnerOfferClient.CIRCUIT, this::reported);
    }

    /**
     * Counts one call as the breaker judged it, which its answer tells: hot, turned away, or failed for a reason; or
     * shed by {@link AdmittedOffers} before it reached the breaker, or by {@code FloodGate} (told as an event).
     */
    void count(@Observes Offer answer) {
        switch (answer.reason()) {
            case PARTNER_ANSWERED -> {
                consecutiveFailures.set(0);
                events.count(CircuitEvents.Kind.SUCCESS);
            }
            case CIRCUIT_OPEN -> {
                events.count(CircuitEvents.Kind.REJECTED);
            }
            // Offer's own overload (AdmittedOffers): the breaker never saw the call, and the partner is none the worse.
            case OFFER_BUSY -> {
                shed.increment();
                events.count(CircuitEvents.Kind.OFFER_BUSY);
            }
            case TIMEOUT, PARTNER_UNREACHABLE, PARTNER_ERROR, PARTNER_BAD_RESPONSE -> {
                int failures = consecutiveFailures.updateAndGet(count -> Math.min(count + 1, policy.failuresToOpen()));
                events.tell(at -> CircuitEvents.Event.failure(at, answer.reason(), failures));
            }
        }
    }

    /**
     * Closes the circuit with no failures, through SmallRye's {@link CircuitBreakerMaintenance#reset(String)}, which
     * tells no state change itself: this tells it, if the events last told another state. For tests, between scenarios.
     */
    public void reset() {
        maintenance.reset(PartnerOfferClient.CIRCUIT);
        consecutiveFailures.set(0);
        announce(CircuitBreakerState.CLOSED, null);
    }

    // SmallRye reports a change inside the call that made it, before that call's answer is counted. The answer is
    // counted in the same event-loop task: announced in the next one, the change comes after the failure (or the
    // success) that made it, in the events and in the log. The timer's HALF_OPEN comes from a thread without a context.
    private void reported(CircuitBreakerState state) {
        // The breaker's own clock runs from the moment it opened, now: the trial is due a delay later.
        Instant nextTrialAt = state == CircuitBreakerState.OPEN ? Instant.now().plus(policy.delay()) : null;
        Context context = Vertx.currentContext();
        if (context != null) {
            context.runOnContext(next -> announce(state, nextTrialAt));
        } else {
            announce(state, nextTrialAt);
        }
    }

    private void announce(CircuitBreakerState state, Instant nextTrialAt) {
        // Stamped, logged and kept for /circuit's times in one step, so that all of them tell the same.
        events.tell(at -> {
            CircuitBreakerState from = lastChange.to();
            if (state == from) {
                return null;
            }
            lastChange = new Change(state, at, nextTrialAt);
            LOG.infof("CircuitBreaker '%s' changed state from %s to %s", PartnerOfferClient.CIRCUIT, from, state);
            return CircuitEvents.Event.stateChanged(at, from, state,
                    state == CircuitBreakerState.CLOSED ? 0 : policy.failuresToOpen(), nextTrialAt);
        });
    }

    public Snapshot snapshot() {
        Change change = lastChange;
        CircuitBreakerState state = maintenance.currentState(PartnerOfferClient.CIRCUIT);
        int failuresToOpen = policy.failuresToOpen();
        // With failureRatio 1.0 the breaker is CLOSED while fewer than failuresToOpen calls in a row failed, and
        // left CLOSED because that many did: the state, not a count racing with it, bounds what is shown.
        int failures = state == CircuitBreakerState.CLOSED
                ? Math.min(consecutiveFailures.get(), failuresToOpen - 1)
                : failuresToOpen;
        // Between SmallRye's change and its announcement (the next event-loop task), the times are still the last told.
        Instant nextTrialAt = state == CircuitBreakerState.OPEN ? change.nextTrialAt() : null;
        long partnerFailures = breakerCalls("failure");
        return new Snapshot(PartnerOfferClient.CIRCUIT, state.name(), failures, failuresToOpen,
                policy.delay().toSeconds(), policy.timeout().toMillis(), breakerCalls("success") + partnerFailures,
                partnerFailures, breakerCalls("circuitBreakerOpen"), shed.sum(), admission.limit(),
                change.at().toString(), nextTrialAt == null ? null : nextTrialAt.toString());
    }

    /** SmallRye's count of the guarded method's calls with this result; 0 before the first call makes the meter. */
    private long breakerCalls(String result) {
        Counter calls = registry.find("ft.circuitbreaker.calls.total").tag("method", HOT_OFFER)
                .tag("circuitBreakerResult", result).counter();
        return calls == null ? 0 : Math.round(calls.count());
    }

    private record Change(CircuitBreakerState to, Instant at, Instant nextTrialAt) {
    }

    /**
     * The circuit at one moment, as {@code GET /circuit} shows it. {@code failures} are the consecutive failures now
     * (0 to {@code failuresToOpen}); {@code failuresToOpen}, {@code delaySeconds} and {@code timeoutMillis} are the
     * policy in force; {@code partnerCalls}, {@code partnerFailures}, {@code rejected} (by the open circuit) and
     * {@code shed} (offer busy: no turn to call the partner in time, the breaker not asked) are totals since start;
     * {@code limit} is how many partner calls {@link Admission} lets through at once now; {@code nextTrialAt} is there
     * only while the circuit is OPEN.
     */
    @RegisterForReflection
    public record Snapshot(String name, String state, int failures, int failuresToOpen, long delaySeconds,
            long timeoutMillis, long partnerCalls, long partnerFailures, long rejected, long shed, int limit,
            String stateChangedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String nextTrialAt) {
    }
}
