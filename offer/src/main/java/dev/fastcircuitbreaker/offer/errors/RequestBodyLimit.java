package dev.fastcircuitbreaker.offer.errors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * offer's endpoints read no request body. Quarkus refuses a declared {@code Content-Length} over
 * {@code quarkus.http.limits.max-body-size} with a 413, but a chunked body sent to such an endpoint would be read and
 * dropped for as long as the client keeps sending: past the same limit, its connection is closed.
 */
@ApplicationScoped
public class RequestBodyLimit {

    void limitChunkedBodies(@Observes Filters filters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        long limit = maxBodySize.asLongValue();
        filters.register(context -> {
            HttpServerRequest request = context.request();
            if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                long[] received = { 0 };
                request.handler(chunk -> {
                    received[0] += chunk.length();
                    if (received[0] > limit) {
                        request.connection().close();
                    }
                });
            }
            context.next();
        }, 100);
    }
}
