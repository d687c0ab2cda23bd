package dev.fastcircuitbreaker.offer;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The story of the {@value PartnerOfferClient#CIRCUIT} circuit breaker as {@link PartnerCircuit} counts it: the last
 * {@value #KEPT} events, and a live stream of them for each Server-Sent Events client, with the {@code /circuit}
 * snapshot once a second. Failures and state changes are one event each; successes and rejections are summed up,
 * so that load cannot flood the story: one {@code SUCCESS} and one {@code REJECTED} a second at most, and one just
 * before a failure or a state change, so that the story keeps its order.
 */
@ApplicationScoped
public class CircuitEvents {

    /** How many events are kept, oldest dropped first. */
    static final int KEPT = 100;
    /**
     * How far behind an SSE client may fall before it is dropped: the kept events it starts with, and room for a
     * burst of failures (each in-flight call that times out is one) while its last write is still on its way.
     */
    static final int CLIENT_BACKLOG = KEPT + 400;
    /** How many SSE clients at most, so that slow clients hold at most this many backlogs; more get a 503. */
    static final int MAX_CLIENTS = 50;

    private final PartnerCircuit circuit;
    private final PartnerPolicy policy;
    private final Vertx vertx;

    // Guarded by this: the kept events and what the clients were sent are in the same order.
    private final Deque<Event> kept = new ArrayDeque<>(KEPT);
    private final Set<MultiEmitter<? super Object>> clients = ConcurrentHashMap.newKeySet();
    private final LongAdder successes = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private volatile long timer;

    CircuitEvents(PartnerCircuit circuit, PartnerPolicy policy, Vertx vertx) {
        this.circuit = circuit;
        this.policy = policy;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent start) {
        timer = vertx.setPeriodic(1000, id -> everySecond());
    }

    /** Before the beans go: a tick after them would find no container (an ERROR on every stop). */
    void stop(@Observes ShutdownEvent stop) {
        vertx.cancelTimer(timer);
    }

    void succeeded() {
        successes.increment();
    }

    void rejected() {
        rejections.increment();
    }

    void failed(String reason, int failures) {
        publish(new Event(Instant.now().toString(), Kind.FAILURE, null, null, reason, failures, null, null));
    }

    void stateChanged(CircuitBreakerState from, CircuitBreakerState to, Instant at, int failures, Instant nextTrialAt) {
        Event event = new Event(at.toString(), Kind.STATE_CHANGED, from.name(), to.name(), null, failures,
                nextTrialAt == null ? null : nextTrialAt.toString(), null);
        // SmallRye reports the change inside the call that made it, before the fallback counts that call's failure
        // (or OfferResource its success). Both run in the current event-loop task: told in the next one, the story
        // reads "failure 3, OPEN", not "OPEN, failure 3". The timer's HALF_OPEN comes from a thread without a context.
        Context context = Vertx.currentContext();
        if (context != null) {
            context.runOnContext(next -> publish(event));
        } else {
            publish(event);
        }
    }

    /** The kept events, oldest first. */
    synchronized List<Event> kept() {
        return List.copyOf(kept);
    }

    /**
     * For one SSE client: the kept events, then each new one and the {@link PartnerCircuit.Snapshot} once a second.
     * A client that falls {@value #CLIENT_BACKLOG} items behind gets a {@link BackPressureFailure}.
     */
    Multi<Object> stream() {
        return Multi.createFrom().<Object> emitter(client -> {
            synchronized (this) {
                kept.forEach(client::emit);
                clients.add(client);
            }
            client.onTermination(() -> clients.remove(client));
        }, BackPressureStrategy.ERROR).onOverflow().buffer(CLIENT_BACKLOG);
    }

    /** How many SSE clients are connected. */
    int clients() {
        return clients.size();
    }

    private synchronized void everySecond() {
        summarise();
        PartnerCircuit.Snapshot snapshot = circuit.snapshot();
        clients.forEach(client -> client.emit(snapshot));
    }

    // Successes and rejections counted so far come first, so the story stays in order.
    private synchronized void publish(Event event) {
        summarise();
        keep(event);
    }

    // Called with the lock held, as is keep().
    private void summarise() {
        long succeeded = successes.sumThenReset();
        if (succeeded > 0) {
            keep(new Event(Instant.now().toString(), Kind.SUCCESS, null, null, null, 0, null, succeeded));
        }
        long turnedAway = rejections.sumThenReset();
        if (turnedAway > 0) {
            keep(new Event(Instant.now().toString(), Kind.REJECTED, null, null, null, policy.failuresToOpen(), null,
                    turnedAway));
        }
    }

    private void keep(Event event) {
        if (kept.size() == KEPT) {
            kept.removeFirst();
        }
        kept.addLast(event);
        clients.forEach(client -> client.emit(event));
    }

    public enum Kind {
        STATE_CHANGED,
        FAILURE,
        SUCCESS,
        REJECTED
    }

    /**
     * One event of the breaker. {@code failures} are the consecutive failures after it, as {@code /circuit} shows
     * them; {@code from}, {@code to} and (when it opens) {@code nextTrialAt} belong to a state change, {@code reason}
     * to a failure (the cold offer's reason), {@code count} to a summary of successes or rejections.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(String at, Kind kind, String from, String to, String reason, int failures, String nextTrialAt,
            Long count) {
    }
}
