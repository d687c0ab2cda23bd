package dev.fastcircuitbreaker.offer.admission;

import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import dev.fastcircuitbreaker.offer.policy.PartnerPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;

/**
 * How many calls go to the partner at once. The limit follows what the partner's calls measure (an algorithm of
 * Netflix's concurrency-limits, {@link AdmissionConfig#algorithm()}): with AIMD, the default, it grows by one with
 * each answer while it is in use and shrinks by a tenth with each call that took three quarters of the timeout or
 * more, whether the partner or offer itself fell behind: it tightens before the calls time out and count against the
 * partner. A caller over the limit waits its turn, first come first served, at most
 * {@link AdmissionConfig#maxWait()}, and is {@link Busy} then; with a timeout on every partner call, no answer comes later
 * than the timeout plus that wait after offer read the request. As many may wait as may call at once (one round of
 * calls); one more is Busy at once.
 */
@ApplicationScoped
public class Admission {

    private final SimpleLimiter<Void> limiter;
    private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    // Places are handed over by one thread at a time, in a loop that a call ending inside it only asks to go round again.
    private final AtomicInteger handOvers = new AtomicInteger();
    private final Vertx vertx;
    private final long maxWaitNanos;

    public Admission(AdmissionConfig config, PartnerPolicy policy, Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        this.maxWaitNanos = Math.max(1_000_000, config.maxWait().toNanos());
        Limit limit = switch (config.algorithm()) {
            case AIMD -> AIMDLimit.newBuilder().initialLimit(config.initialLimit())
                    .minLimit(Math.min(config.initialLimit(), 20)).maxLimit(config.maxLimit())
                    .timeout(policy.timeout().toNanos() * 3 / 4, TimeUnit.NANOSECONDS).build();
            case GRADIENT2 -> Gradient2Limit.newBuilder().initialLimit(config.initialLimit())
                    .minLimit(Math.min(config.initialLimit(), 20)).maxConcurrency(config.maxLimit()).build();
            case VEGAS -> VegasLimit.newBuilder().initialLimit(config.initialLimit()).maxConcurrency(config.maxLimit()).build();
        };
        this.limiter = SimpleLimiter.newBuilder().named(PartnerOfferClient.CIRCUIT).limit(limit).build();
        Gauge.builder("offer.admission.limit", limiter, SimpleLimiter::getLimit)
                .description("How many calls may go to partner-offer at once now").register(registry);
        Gauge.builder("offer.admission.inflight", limiter, SimpleLimiter::getInflight)
                .description("Calls to partner-offer under way").register(registry);
        Gauge.builder("offer.admission.waiting", waiting, AtomicInteger::get)
                .description("Callers waiting for a place").register(registry);
    }

    /** Whether a newcomer now would be {@link Busy} at once: as many wait their turn as may call the partner. */
    boolean flooded() {
        return waiting.get() >= limiter.getLimit();
    }

    /** How many calls may go to the partner at once now. */
    public int limit() {
        return limiter.getLimit();
    }

    /** {@code call}'s answer, made once this caller's turn came; {@link Busy} when it did not come in time. */
    public Uni<Offer> admit(Supplier<Uni<Offer>> call) {
        return enter().onItem().transformToUni(place -> call.get()
                .onTermination().invoke((answer, failure, cancelled) -> place.release(answer)));
    }

    private Uni<Place> enter() {
        return Uni.createFrom().<Place> emitter(emitter -> {
            // First come, first served: while others wait, a newcomer queues behind them.
            Optional<Limiter.Listener> now = queue.isEmpty() ? limiter.acquire(null) : Optional.empty();
            if (now.isPresent()) {
                Place place = new Place(now.get());
                emitter.complete(place);
                place.releaseIfNotTaken();
            } else if (waiting.incrementAndGet() > limiter.getLimit()) {
                // One round of calls: each ending lets one of these in. A flood is answered at once, as a fixed bulkhead
                // did: a thousand callers waiting, each with its timer, slowed a fresh offer's 2,048 at once (bench/ADMISSION.md).
                waiting.decrementAndGet();
                emitter.fail(new Busy("as many callers already wait their turn as may call the partner at once"));
            } else {
                Waiter waiter = new Waiter(emitter);
                waiter.timer = vertx.setTimer(maxWaitNanos / 1_000_000, expired -> waiter.giveUp());
                emitter.onTermination(waiter::ended);
                queue.add(waiter);
                handOver();
            }
        }).invoke(Place::take);
    }

    // Called whenever a place may have come free: after a call, and after a caller queued (a call may have ended
    // between its try and its place in the queue).
    private void handOver() {
        if (handOvers.getAndIncrement() != 0) {
            return;
        }
        int asked = 1;
        do {
            while (!queue.isEmpty()) {
                Optional<Limiter.Listener> place = limiter.acquire(null);
                if (place.isEmpty()) {
                    break;
                }
                Waiter next = nextInTime();
                if (next == null) {
                    place.get().onIgnore();
                } else {
                    next.admit(new Place(place.get()));
                }
            }
            asked = handOvers.addAndGet(-asked);
        } while (asked != 0);
    }

    /** The first caller still waiting, and not for too long; those past the longest wait are answered busy on the way. */
    private Waiter nextInTime() {
        for (Waiter next = queue.poll(); next != null; next = queue.poll()) {
            // Settled already: it gave up or went away. Past the longest wait: its timer may not have fired yet, behind a
            // busy event loop, and too late is too late all the same.
            if (next.settle()) {
                if (!next.waitedTooLong()) {
                    return next;
                }
                next.tooLate();
            }
        }
        return null;
    }

    /** A place for one partner call: released once, with what the call gave, which the limit learns from. */
    final class Place {

        private final Limiter.Listener listener;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean taken;

        private Place(Limiter.Listener listener) {
            this.listener = listener;
        }

        private void take() {
            taken = true;
        }

        // A caller that went away before its place reached it gives it back.
        private void releaseIfNotTaken() {
            if (!taken) {
                release(null);
            }
        }

        /** The call is over with {@code answer}, or was cancelled ({@code null}). */
        void release(Offer answer) {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            Offer.Reason reason = answer == null ? null : answer.reason();
            if (reason == Offer.Reason.PARTNER_ANSWERED) {
                listener.onSuccess();
            } else if (reason == Offer.Reason.TIMEOUT) {
                listener.onDropped();
            } else {
                // No partner call (circuit open), or one that failed at once: it says nothing of the latency.
                listener.onIgnore();
            }
            handOver();
        }
    }

    private final class Waiter {

        private final UniEmitter<? super Place> emitter;
        private final AtomicBoolean settled = new AtomicBoolean();
        private final long since = System.nanoTime();
        private volatile long timer;
        private volatile Place handed;
        private volatile boolean ended;

        Waiter(UniEmitter<? super Place> emitter) {
            this.emitter = emitter;
        }

        /** Whether this caller is still waiting, and now no longer: only one of admit, give up and ended gets it. */
        boolean settle() {
            if (settled.compareAndSet(false, true)) {
                waiting.decrementAndGet();
                return true;
            }
            return false;
        }

        void admit(Place place) {
            vertx.cancelTimer(timer);
            handed = place;
            emitter.complete(place);
            if (ended) {
                place.releaseIfNotTaken();
            }
        }

        void giveUp() {
            if (settle()) {
                tooLate();
            }
        }

        boolean waitedTooLong() {
            return System.nanoTime() - since > maxWaitNanos;
        }

        // Settled already, by its timer or by the hand-over that found it waited too long.
        void tooLate() {
            vertx.cancelTimer(timer);
            emitter.fail(new Busy("waited " + Duration.ofNanos(System.nanoTime() - since).toMillis()
                    + " ms without a place to call the partner"));
        }

        // The caller has its answer, or went away: while waiting, or with its place on the way to it.
        void ended() {
            ended = true;
            if (settle()) {
                vertx.cancelTimer(timer);
            } else if (handed != null) {
                handed.releaseIfNotTaken();
            }
        }
    }

    /** offer's own state, no failure of the partner's: the caller is answered {@code offer-busy}. */
    public static final class Busy extends RuntimeException {

        Busy(String message) {
            super(message, null, false, false);
        }
    }
}
