package dev.fastcircuitbreaker.partneroffer;

import java.util.UUID;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Counts partner-offer's own warm-up requests ({@link WarmUp}) apart from its callers', so that
 * {@code http_server_requests_seconds} counts its real callers only: each carries a header only this process knows,
 * and its time goes to {@value #WARM_UP_REQUESTS} instead.
 */
@Singleton
public class WarmUpMetrics implements HttpServerMetricsTagsContributor {

    static final String HEADER = "Warm-Up";
    static final String WARM_UP_REQUESTS = "partner-offer.warm-up.requests";
    private static final Tag WARM_UP = Tag.of("caller", "warm-up");

    // New at each start: no caller can hide its requests from the count.
    private final String token = UUID.randomUUID().toString();

    String token() {
        return token;
    }

    @Override
    public Tags contribute(Context context) {
        return token.equals(context.request().getHeader(HEADER)) ? Tags.of(WARM_UP) : Tags.empty();
    }

    // Renamed, not denied: Micrometer keeps a renamed meter, while it looks a denied one up again, under its
    // registry-wide lock, for every request (MeterRegistry#getOrCreateMeter, Micrometer 1.16).
    @Produces
    @Singleton
    static MeterFilter warmUpApart() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!WARM_UP.getValue().equals(id.getTag(WARM_UP.getKey()))) {
                    return id;
                }
                return id.withName(WARM_UP_REQUESTS)
                        .replaceTags(id.getTags().stream().filter(tag -> !tag.equals(WARM_UP)).toList());
            }
        };
    }
}
