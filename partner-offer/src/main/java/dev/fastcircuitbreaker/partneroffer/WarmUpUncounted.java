package dev.fastcircuitbreaker.partneroffer;

import java.util.UUID;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Keeps partner-offer's own warm-up requests ({@link WarmUp}) out of its metrics, so that
 * {@code http_server_requests_seconds} counts its real callers only: each carries a header only this process knows,
 * which tags its meter, and a meter with that tag is never registered.
 */
@Singleton
public class WarmUpUncounted implements HttpServerMetricsTagsContributor {

    static final String HEADER = "Warm-Up";
    private static final Tag WARM_UP = Tag.of("caller", "warm-up");

    // New at each start: no caller can hide its requests from the metrics.
    private final String token = UUID.randomUUID().toString();

    String token() {
        return token;
    }

    @Override
    public Tags contribute(Context context) {
        return token.equals(context.request().getHeader(HEADER)) ? Tags.of(WARM_UP) : Tags.empty();
    }

    @Produces
    @Singleton
    static MeterFilter noWarmUpMeters() {
        return MeterFilter.deny(id -> WARM_UP.getValue().equals(id.getTag(WARM_UP.getKey())));
    }
}
