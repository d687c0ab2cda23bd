package dev.fastcircuitbreaker.offer;

import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * How many calls go to the partner at once. The limit follows the partner's measured latency (an algorithm of Netflix's
 * concurrency-limits, {@link AdmissionConfig#algorithm()}): it opens while answers come as fast as they did, and
 * tightens as they slow down, whether the partner or offer itself falls behind. A caller over the limit waits its
 * turn, first come first served, at most {@link AdmissionConfig#maxWait()}: with a timeout on every partner call, no
 * answer comes later than the timeout plus that wait. One that got no place by then is {@link Busy}.
 */
@ApplicationScoped
public class Admission {

    private final SimpleLimiter<Void> limiter;
    private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Vertx vertx;
    private final int maxWaiting;
    private final long maxWaitMillis;

    Admission(AdmissionConfig config, Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        this.maxWaiting = config.maxLimit();
        this.maxWaitMillis = Math.max(1, config.maxWait().toMillis());
        Limit limit = switch (config.algorithm()) {
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

    /** How many calls may go to the partner at once now. */
    public int limit() {
        return limiter.getLimit();
    }

    /** A place for one partner call, at once or after a wait; {@link Busy} when none came within the longest wait. */
    Uni<Place> enter() {
        return Uni.createFrom().<Place> emitter(emitter -> {
            // First come, first served: while others wait, a newcomer queues behind them.
            Optional<Limiter.Listener> now = queue.isEmpty() ? limiter.acquire(null) : Optional.empty();
            if (now.isPresent()) {
                Place place = new Place(now.get());
                emitter.complete(place);
                place.releaseIfNotTaken();
            } else if (waiting.incrementAndGet() > maxWaiting) {
                waiting.decrementAndGet();
                emitter.fail(new Busy("as many callers are already waiting as may call the partner at once"));
            } else {
                Waiter waiter = new Waiter(emitter, Vertx.currentContext());
                waiter.timer = vertx.setTimer(maxWaitMillis, expired -> waiter.giveUp());
                emitter.onTermination(waiter::ended);
                queue.add(waiter);
                admitWaiting();
            }
        }).invoke(Place::take);
    }

    // Called whenever a place may have come free: after a call, and after a caller queued (a call may have ended
    // between its try and its place in the queue).
    private void admitWaiting() {
        while (!queue.isEmpty()) {
            Optional<Limiter.Listener> place = limiter.acquire(null);
            if (place.isEmpty()) {
                return;
            }
            Waiter next = queue.poll();
            while (next != null && !next.settle()) {
                next = queue.poll();
            }
            if (next == null) {
                place.get().onIgnore();
            } else {
                next.admit(new Place(place.get()));
            }
        }
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
            admitWaiting();
        }
    }

    private final class Waiter {

        private final UniEmitter<? super Place> emitter;
        private final Context context;
        private final AtomicBoolean settled = new AtomicBoolean();
        private final long since = System.nanoTime();
        private volatile long timer;
        private volatile Place handed;
        private volatile boolean ended;

        Waiter(UniEmitter<? super Place> emitter, Context context) {
            this.emitter = emitter;
            this.context = context;
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
            // On the caller's own context, as if it had got its place at once; and no deeper into this stack.
            if (context == null) {
                handOver();
            } else {
                context.runOnContext(ignored -> handOver());
            }
        }

        private void handOver() {
            emitter.complete(handed);
            if (ended) {
                handed.releaseIfNotTaken();
            }
        }

        void giveUp() {
            if (settle()) {
                emitter.fail(new Busy("waited " + Duration.ofNanos(System.nanoTime() - since).toMillis()
                        + " ms without a place to call the partner"));
            }
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
    static final class Busy extends RuntimeException {

        Busy(String message) {
            super(message, null, false, false);
        }
    }
}
