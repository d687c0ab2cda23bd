package dev.fastcircuitbreaker.offer.bounds;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerIsHealthy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.fastcircuitbreaker.offer.OfferApi;
import dev.fastcircuitbreaker.offer.PartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import dev.fastcircuitbreaker.offer.PartnerOfferRestClient;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;

/**
 * What {@link PartnerOfferBounds} relies on in Quarkus' REST client and Vert.x without their documentation saying so,
 * one test each, so that an upgrade that changes one fails the test that names it, and where the exchanges run. The
 * calls go through the REST clients offer uses, unguarded (no breaker, no fallback), so each failure is the one the
 * bounds produced.
 */
@QuarkusTest
@WithTestResource(PartnerDouble.class)
class PartnerOfferBoundsTest {

    @InjectPartnerDouble
    WireMockServer partner;

    @Inject
    PartnerOfferBounds bounds;

    @Inject
    Vertx vertx;

    @BeforeEach
    void readyWithAHealthyPartner() {
        OfferApi.awaitReady();
        partnerIsHealthy(partner);
    }

    @Test
    void theCustomizersResponseHandlerRunsFirstAndTheRestClientsBodyReadFailsAtOnceAfterItsReset() {
        // Refused from its headers (not JSON): had the REST client started reading first, or had its body() waited for
        // the 4 MiB instead of failing with the reset's cause, its own failure (no reader for text/html) would come back.
        Throwable failure = failureOf(aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("x".repeat(4 * 1024 * 1024)));
        assertInstanceOf(PartnerOfferClient.BadPartnerResponseException.class, failure, () -> describe(failure));
    }

    @Test
    void anErrorStatusRefusedUnreadStillComesBackAsTheRestClientsOwnExceptionForTheStatus() {
        // The REST client's exception mapper sees the status line and replaces the reset's cause: offer's reason for it
        // is partner-error either way.
        Throwable failure = failureOf(aResponse().withStatus(500).withBody("x".repeat(1024 * 1024)));
        WebApplicationException mapped = assertInstanceOf(WebApplicationException.class, failure, () -> describe(failure));
        assertEquals(500, mapped.getResponse().getStatus());
    }

    @Test
    void eachChunkReachesTheCustomizerBeforeTheRestClientCollectsTheWholeBody() {
        Throwable failure = failureOf(okJson(OfferApi.HOT_OFFER + " ".repeat(4 * PartnerOfferBounds.MAX_BODY_BYTES))
                .withHeader("Transfer-Encoding", "chunked"));
        assertInstanceOf(PartnerOfferClient.BadPartnerResponseException.class, failure, () -> describe(failure));
        assertTrue(failure.getMessage().contains("more than " + PartnerOfferBounds.MAX_BODY_BYTES + " bytes"), failure::getMessage);
    }

    @Test
    void headersOverTheLimitReachTheConnectionsExceptionHandlerBeforeTheRestClient() {
        // The REST client would turn the TooLongFrameException into a plain IOException; the connection's handler
        // hears of it first and resets the request with a cause of its own.
        Throwable failure = failureOf(okJson(OfferApi.HOT_OFFER)
                .withHeader("X-Padding", "x".repeat(2 * PartnerOfferBounds.MAX_HEADER_BYTES)));
        assertInstanceOf(PartnerOfferClient.BadPartnerResponseException.class, failure, () -> describe(failure));
    }

    @Test
    void theCustomizerRunsOnTheCallsOwnContextOnEachOfThePartnersLoopsInTurn() {
        AtomicReference<Object> deadline = new AtomicReference<>();
        Set<String> threads = Collections.synchronizedSet(new HashSet<>());
        // A client of the same interface with a probe instead of the bounds, on every loop.
        PartnerOfferRestClient probed = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(partner.baseUrl()))
                .httpClientRequestCustomizer(request -> {
                    deadline.set(Vertx.currentContext().getLocal(PartnerOfferBounds.DEADLINE));
                    threads.add(Thread.currentThread().getName());
                })
                .build(PartnerOfferRestClient.class);
        PartnerOfferBounds.Clients onEachLoop = new PartnerOfferBounds.Clients(Collections.nCopies(bounds.loops(), probed));
        for (int call = 0; call < 2 * bounds.loops(); call++) {
            assertNotNull(bounds.exchange(onEachLoop, PartnerOfferRestClient::offer).await().atMost(Duration.ofSeconds(10)));
        }
        // The deadline the call set is visible where the request is customized: the exchange ends at it.
        assertInstanceOf(Long.class, deadline.get());
        // Offer's own loops for the partner, each in turn: none of the loops the HTTP server reads offer's callers on.
        assertEquals(IntStream.range(0, bounds.loops()).mapToObj(i -> PartnerOfferBounds.LOOP_THREAD + i)
                .collect(Collectors.toSet()), threads);
        // As many as Quarkus' own event loops, which the HTTP server reads offer's callers on in production.
        int quarkusLoops = 0;
        for (var loop : vertx.nettyEventLoopGroup()) {
            quarkusLoops++;
        }
        assertEquals(quarkusLoops, bounds.loops());
    }

    @Test
    void eachOfThePartnersLoopsKeepsItsOwnConnectionAndItsAnswersStayOnIt() throws Exception {
        Set<Object> connections = ConcurrentHashMap.newKeySet();
        HttpServer standIn = standIn(request -> {
            connections.add(request.connection());
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(OfferApi.HOT_OFFER);
        });
        try (PartnerOfferBounds.Clients clients = bounds.clients(URI.create("http://127.0.0.1:" + standIn.actualPort()))) {
            Set<String> answeredOn = Collections.synchronizedSet(new HashSet<>());
            // One call after another: a client shared by the loops would reuse one connection for all of them.
            for (int call = 0; call < 4 * bounds.loops(); call++) {
                bounds.exchange(clients, PartnerOfferRestClient::offer)
                        .invoke(offer -> answeredOn.add(Thread.currentThread().getName()))
                        .await().atMost(Duration.ofSeconds(10));
            }
            assertEquals(bounds.loops(), connections.size(), "connections the partner saw");
            assertEquals(bounds.loops(), answeredOn.size(), "loops the answers came on: " + answeredOn);
            assertTrue(answeredOn.stream().allMatch(thread -> thread.startsWith(PartnerOfferBounds.LOOP_THREAD)), answeredOn::toString);
        } finally {
            standIn.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aResetForABodyOverTheLimitNeverHitsAConnectionAnotherCallHolds() throws Exception {
        // Every third request the partner sees gets a body over the limit, sent slowly enough to be reset mid-way.
        AtomicInteger seen = new AtomicInteger();
        HttpServer standIn = standIn(request -> {
            var response = request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
            if (seen.incrementAndGet() % 3 == 0) {
                response.setChunked(true).write(OfferApi.HOT_OFFER);
                String padding = " ".repeat(PartnerOfferBounds.MAX_CHUNK_BYTES);
                vertx.setPeriodic(1, id -> {
                    if (response.closed() || response.ended()) {
                        vertx.cancelTimer(id);
                    } else {
                        response.write(padding);
                    }
                });
            } else {
                response.end(OfferApi.HOT_OFFER);
            }
        });
        int calls = 90;
        try (PartnerOfferBounds.Clients clients = bounds.clients(URI.create("http://127.0.0.1:" + standIn.actualPort()))) {
            List<String> outcomes = Multi.createFrom().range(0, calls)
                    .onItem().transformToUni(i -> bounds.exchange(clients, PartnerOfferRestClient::offer)
                            .map(offer -> "hot")
                            .onFailure().recoverWithItem(PartnerOfferBoundsTest::outcome))
                    .merge(8)
                    .collect().asList().await().atMost(Duration.ofSeconds(60));
            Map<String, Long> counted = new TreeMap<>(outcomes.stream().collect(Collectors.groupingBy(o -> o, Collectors.counting())));
            assertEquals(Map.of("hot", (long) calls * 2 / 3, "over the limit", (long) calls / 3), counted);
        } finally {
            standIn.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String outcome(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PartnerOfferClient.BadPartnerResponseException
                    && cause.getMessage().contains("more than " + PartnerOfferBounds.MAX_BODY_BYTES + " bytes")) {
                return "over the limit";
            }
        }
        return describe(failure);
    }

    private HttpServer standIn(io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler) throws Exception {
        return vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Throwable failureOf(ResponseDefinitionBuilder answer) {
        partnerAnswers(partner, answer);
        try {
            bounds.offer().await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // Vert.x wraps the reset's cause in a StreamResetException.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof PartnerOfferClient.BadPartnerResponseException
                        || cause instanceof WebApplicationException) {
                    return cause;
                }
            }
            return e;
        }
        throw new AssertionError("the partner's answer was accepted");
    }

    private static String describe(Throwable failure) {
        StringBuilder chain = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            chain.append(cause).append(" <- ");
        }
        return chain.toString();
    }
}
