package dev.fastcircuitbreaker.offer.circuit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fastcircuitbreaker.offer.Offer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * The breaker's events in the order they happened: told from any thread, they are stamped one at a time, so
 * {@code at} never goes back. {@link #stream()} is a hot {@link Multi}: the last {@value #KEPT} events first, then each
 * new one. Summed-up kinds (successes, rejections, shed calls)
 * are counted, not told: their count since the last one is told once a second, and just before any other event.
 */
@ApplicationScoped
public class CircuitEvents {

    /** How many events are kept, oldest dropped first. */
    static final int KEPT = 100;

    private static final Function<Instant, Event> ONLY_THE_COUNTS = at -> null;

    private final Map<Kind, LongAdder> counted = new EnumMap<>(Kind.class);
    private Multi<Event> stream;
    private volatile MultiEmitter<? super Function<Instant, Event>> emitter;
    private volatile List<Event> kept = List.of();
    private Instant lastAt = Instant.EPOCH;
    private Cancellable everySecond;

    @PostConstruct
    void tellInOrder() {
        for (Kind kind : Kind.values()) {
            if (kind.summedUp) {
                counted.put(kind, new LongAdder());
            }
        }
        // The emitter takes what any thread tells and hands it on one at a time; the replay keeps the last events for
        // each new subscriber and sends every subscriber each new one, at its own pace.
        stream = Multi.createBy().replaying().upTo(KEPT).ofMulti(Multi.createFrom()
                .<Function<Instant, Event>> emitter(created -> emitter = created)
                .onItem().transformToIterable(this::countsThen));
        stream.subscribe().with(this::keep);
    }

    void start(@Observes StartupEvent start) {
        everySecond = Multi.createFrom().ticks().every(Duration.ofSeconds(1)).subscribe()
                .with(tick -> emitter.emit(ONLY_THE_COUNTS));
    }

    void stop(@Observes ShutdownEvent stop) {
        if (everySecond != null) {
            everySecond.cancel();
        }
    }

    /** Adds the event {@code event} makes of the moment it is stamped, if it makes one (null: none). */
    void tell(Function<Instant, Event> event) {
        emitter.emit(event);
    }

    /** Counts one more of a summed-up kind ({@code SUCCESS}, {@code REJECTED}, {@code OFFER_BUSY}). */
    void count(Kind kind) {
        counted.get(kind).increment();
    }

    /** The last events kept, oldest first. */
    List<Event> kept() {
        return kept;
    }

    /** The kept events first, then each new one. */
    Multi<Event> stream() {
        return stream;
    }

    // Called one item at a time, in the order told.
    private List<Event> countsThen(Function<Instant, Event> told) {
        Instant now = Instant.now();
        Instant at = now.isAfter(lastAt) ? now : lastAt;
        lastAt = at;
        List<Event> events = new ArrayList<>(counted.size() + 1);
        counted.forEach((kind, count) -> {
            long sum = count.sumThenReset();
            if (sum > 0) {
                events.add(new Event(at.toString(), kind, null, null, null, null, null, sum));
            }
        });
        Event event = told.apply(at);
        if (event != null) {
            events.add(event);
        }
        return events;
    }

    // The first subscriber, so that events are kept whether or not anyone streams them.
    private void keep(Event event) {
        List<Event> now = new ArrayList<>(KEPT);
        List<Event> before = kept;
        now.addAll(before.size() < KEPT ? before : before.subList(1, KEPT));
        now.add(event);
        kept = List.copyOf(now);
    }

    /** The kinds of event; {@code true}: summed up, told as a count at most once a second. */
    public enum Kind {
        STATE_CHANGED(false),
        FAILURE(false),
        SUCCESS(true),
        REJECTED(true),
        OFFER_BUSY(true);

        private final boolean summedUp;

        Kind(boolean summedUp) {
            this.summedUp = summedUp;
        }
    }

    /**
     * One event of the breaker. {@code failures} are the consecutive failures after a failure or a state change, as
     * {@code /circuit} shows them; {@code from}, {@code to} and (when it opens) {@code nextTrialAt} belong to a state
     * change, {@code reason} to a failure (the cold offer's), {@code count} to a summed-up kind.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(String at, Kind kind, String from, String to, Offer.Reason reason, Integer failures,
            String nextTrialAt, Long count) {

        static Event failure(Instant at, Offer.Reason reason, int failures) {
            return new Event(at.toString(), Kind.FAILURE, null, null, reason, failures, null, null);
        }

        static Event stateChanged(Instant at, Enum<?> from, Enum<?> to, int failures, Instant nextTrialAt) {
            return new Event(at.toString(), Kind.STATE_CHANGED, from.name(), to.name(), null, failures,
                    nextTrialAt == null ? null : nextTrialAt.toString(), null);
        }
    }
}
