package dev.fastcircuitbreaker.partneroffer;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * How long partner-offer takes to answer {@code GET /offers}, like a partner across a network:
 * {@code partner-offer.latency} at start, {@code PUT /latency} while it runs. In force once partner-offer is ready:
 * its warm-up's own requests are never delayed.
 */
@Startup
@ApplicationScoped
public class Latency {

    static final String NOT_A_LATENCY = "a latency is a duration of 0 or more, such as 300ms, 1.5s or 0";

    private final Vertx vertx;
    private final WarmUp warmUp;
    private volatile Duration value;

    // @Startup: a negative partner-offer.latency stops the start, not the first request.
    Latency(@ConfigProperty(name = "partner-offer.latency") Duration configured, Vertx vertx,
            @Readiness WarmUp warmUp) {
        this.vertx = vertx;
        this.warmUp = warmUp;
        this.value = inForce(configured);
    }

    public Duration get() {
        return value;
    }

    /** Sets the latency from text in the configuration's syntax ({@code 300ms}, {@code 1.5s}, {@code 0}). */
    public Duration set(String text) {
        try {
            value = inForce(DurationConverter.parseDuration(text.strip()));
            return value;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException(NOT_A_LATENCY, e);
        }
    }

    /** The answer once the latency has passed, on a Vert.x timer: the event loop serves other requests meanwhile. */
    <T> Uni<T> delay(Uni<T> answer) {
        long millis = value.toMillis();
        if (millis == 0 || !warmUp.isWarm()) {
            return answer;
        }
        Uni<Long> timer = Uni.createFrom().emitter(emitter -> vertx.setTimer(millis, emitter::complete));
        return timer.replaceWith(answer);
    }

    // Vert.x timers count whole milliseconds: the latency in force is said in them too.
    private static Duration inForce(Duration latency) {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException(NOT_A_LATENCY);
        }
        return Duration.ofMillis(latency.toMillis());
    }
}
