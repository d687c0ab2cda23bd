package dev.fastcircuitbreaker.partneroffer;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;

/**
 * Readiness: DOWN until partner-offer has answered {@code warm-up.requests} of its own {@code GET /offers} over
 * loopback. A fresh JVM's first requests are slow (classes to load, code interpreted); made here, they are not
 * offer's, so a breaker's trial after a restart meets a partner that answers at once. Its metrics count them apart
 * from its callers' ({@link WarmUpMetrics}).
 */
@Readiness
@ApplicationScoped
public class WarmUp implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    /** As many requests at once as offer makes at most: what a real first second looks like. */
    private static final int AT_ONCE = 32;

    private final int requests;
    private volatile boolean warm;

    WarmUp(@ConfigProperty(name = "warm-up.requests") int requests) {
        this.requests = requests;
    }

    // Told once the HTTP server listens (StartupEvent comes before).
    void start(@ObservesAsync HttpServerStart start, Vertx vertx, HttpServer server, WarmUpMetrics metrics) {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(server.getPort()), new PoolOptions().setHttp1MaxSize(AT_ONCE));
        long began = System.nanoTime();
        Multi.createFrom().range(0, requests)
                .onItem().transformToUni(i -> client.request(HttpMethod.GET, "/offers")
                        .chain(request -> request.putHeader(WarmUpMetrics.HEADER, metrics.token()).send()).chain(HttpClientResponse::body))
                .merge(AT_ONCE)
                .collect().last()
                .eventually(client::close)
                .subscribe().with(
                        last -> {
                            warm = true;
                            LOG.infof("Warmed up: %d requests to itself in %d ms", requests, millisSince(began));
                        },
                        // Ready all the same: a service that cannot call itself still serves its callers.
                        failure -> {
                            warm = true;
                            LOG.warnf("Warm-up stopped after %d ms: %s", millisSince(began), failure.toString());
                        });
    }

    boolean isWarm() {
        return warm;
    }

    private static long millisSince(long began) {
        return Duration.ofNanos(System.nanoTime() - began).toMillis();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up").status(warm).withData("requests", requests).build();
    }
}
