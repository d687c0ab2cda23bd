package dev.fastcircuitbreaker.offer.warmup;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.PartnerOffer;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import dev.fastcircuitbreaker.offer.PartnerOfferRestClient;
import dev.fastcircuitbreaker.offer.admission.Admission;
import dev.fastcircuitbreaker.offer.admission.AdmissionConfig;
import dev.fastcircuitbreaker.offer.bounds.PartnerOfferBounds;
import dev.fastcircuitbreaker.offer.policy.PartnerPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientRequest;
import io.vertx.mutiny.core.http.HttpClientResponse;

/**
 * Readiness: DOWN until offer has run, {@code warm-up.requests} times each, what its first callers go through, so that
 * a fresh JVM's slow start (classes to load, code interpreted) is not met by them, nor counted as the partner's
 * failure. The partner side is exchanged with a stand-in on loopback, through REST clients of its own with the same
 * bounds and loops, so neither partner-offer nor the breaker sees any of it.
 */
@Readiness
@ApplicationScoped
public class WarmUp implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    private static final String STAND_IN_OFFER = """
            {"id":"warm-up","type":"hot","description":"offer's warm-up, never shown","price":1.00}""";

    private final int requests;
    private final PartnerPolicy policy;
    private final AdmissionConfig admission;
    private final int atOnce;
    private volatile boolean warm;

    WarmUp(@ConfigProperty(name = "warm-up.requests") int requests, PartnerPolicy policy, AdmissionConfig admission) {
        this.requests = requests;
        this.policy = policy;
        this.admission = admission;
        this.atOnce = admission.initialLimit();
    }

    // Told once the HTTP server listens (StartupEvent comes before).
    void start(@ObservesAsync HttpServerStart start, Vertx vertx, HttpServer server, PartnerOfferBounds bounds) {
        long began = System.nanoTime();
        vertx.createHttpServer()
                .requestHandler(request -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .endAndForget(STAND_IN_OFFER))
                .listen(0, "127.0.0.1")
                .chain(standIn -> {
                    PartnerOfferBounds.Clients clients = bounds.clients(URI.create("http://127.0.0.1:" + standIn.actualPort()));
                    TypedGuard<Uni<PartnerOffer>> guard = guardAsHotOffer();
                    // Admission's code too, in an instance of the warm-up's own, its limit learning nothing of the stand-in;
                    // twice the first limit at once, as a burst of first callers would be.
                    Admission turns = new Admission(admission, policy, vertx.getDelegate(), new SimpleMeterRegistry());
                    return times(2 * atOnce, () -> turns.admit(() -> guard.get(() -> bounds.exchange(clients, PartnerOfferRestClient::offer))
                            .map(WarmUp::asOffer)).onFailure(Admission.Busy.class).recoverWithNull())
                            .eventually(clients::close)
                            .eventually(standIn::close);
                })
                .chain(() -> {
                    HttpClient self = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                            .setDefaultPort(server.getPort()), new PoolOptions().setHttp1MaxSize(atOnce));
                    return times(atOnce, () -> self.request(HttpMethod.GET, "/circuit")
                            .chain(HttpClientRequest::send).chain(HttpClientResponse::body))
                            .eventually(self::close);
                })
                .subscribe().with(
                        done -> {
                            warm = true;
                            LOG.infof("Warmed up: %d partner exchanges with a stand-in and %d requests to itself in %d ms",
                                    requests, requests, millisSince(began));
                        },
                        // Ready all the same: offer serves its callers even when it could not warm up.
                        failure -> {
                            warm = true;
                            LOG.warnf("Warm-up stopped after %d ms: %s", millisSince(began), failure.toString());
                        });
    }

    /**
     * A guard of the warm-up's own with the strategies that {@link PartnerOfferClient#hotOffer()}'s annotations declare,
     * each with the numbers in force: SmallRye's code runs as it will for the first callers, and the breaker
     * "partner-offer" counts none of it. A strategy it does not know ends the warm-up, logged, rather than be left out.
     */
    private TypedGuard<Uni<PartnerOffer>> guardAsHotOffer() {
        TypedGuard.Builder<Uni<PartnerOffer>> guard = TypedGuard.create(new TypeLiteral<Uni<PartnerOffer>>() {
        });
        for (Annotation strategy : hotOfferAnnotations()) {
            if (strategy instanceof CircuitBreaker) {
                guard = guard.withCircuitBreaker().requestVolumeThreshold(policy.failuresToOpen())
                        .failureRatio(policy.failureRatio()).delay(policy.delay().toMillis(), ChronoUnit.MILLIS).done();
            } else if (strategy instanceof Timeout) {
                guard = guard.withTimeout().duration(policy.timeout().toMillis(), ChronoUnit.MILLIS).done();
            } else if (strategy instanceof Fallback) {
                guard = guard.withFallback().handler(failure -> Uni.createFrom().nullItem()).done();
            } else if (strategy.annotationType().getPackageName().equals(Fallback.class.getPackageName())) {
                throw new IllegalStateException("The warm-up has no counterpart of hotOffer's @"
                        + strategy.annotationType().getSimpleName() + ": add one to WarmUp#guardAsHotOffer");
            }
        }
        return guard.build();
    }

    // Registered for reflection by the Fault Tolerance extension, as every guarded method is.
    private static Annotation[] hotOfferAnnotations() {
        try {
            return PartnerOfferClient.class.getDeclaredMethod("hotOffer").getAnnotations();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Offer asOffer(PartnerOffer offer) {
        return offer == null ? null
                : new Offer(offer.id(), Offer.Type.HOT, offer.description(), offer.price(), Offer.Reason.PARTNER_ANSWERED);
    }

    private <T> Uni<Void> times(int atOnce, Supplier<Uni<T>> call) {
        return Multi.createFrom().range(0, requests).onItem().transformToUni(i -> call.get()).merge(atOnce)
                .collect().last().replaceWithVoid();
    }

    private static long millisSince(long began) {
        return Duration.ofNanos(System.nanoTime() - began).toMillis();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up").status(warm).withData("requests", requests).build();
    }
}
