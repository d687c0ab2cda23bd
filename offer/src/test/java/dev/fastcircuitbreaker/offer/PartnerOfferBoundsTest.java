package dev.fastcircuitbreaker.offer;

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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * What {@link PartnerOfferBounds} relies on in Quarkus' REST client and Vert.x without their documentation saying so,
 * one test each, so that an upgrade that changes one fails the test that names it. The calls go through the REST client
 * offer uses, unguarded (no breaker, no fallback), so each failure is the one the bounds produced.
 */
@QuarkusTest
@WithTestResource(PartnerDouble.class)
class PartnerOfferBoundsTest {

    @InjectPartnerDouble
    WireMockServer partner;

    @Inject
    @RestClient
    PartnerOfferRestClient client;

    @Inject
    PartnerOfferBounds bounds;

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
        assertInstanceOf(PartnerOfferBounds.BadPartnerResponseException.class, failure, () -> describe(failure));
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
        assertInstanceOf(PartnerOfferBounds.BadPartnerResponseException.class, failure, () -> describe(failure));
        assertTrue(failure.getMessage().contains("more than " + PartnerOfferBounds.MAX_BODY_BYTES + " bytes"), failure::getMessage);
    }

    @Test
    void headersOverTheLimitReachTheConnectionsExceptionHandlerBeforeTheRestClient() {
        // The REST client would turn the TooLongFrameException into a plain IOException; the connection's handler
        // hears of it first and resets the request with a cause of its own.
        Throwable failure = failureOf(okJson(OfferApi.HOT_OFFER)
                .withHeader("X-Padding", "x".repeat(2 * PartnerOfferBounds.MAX_HEADER_BYTES)));
        assertInstanceOf(PartnerOfferBounds.BadPartnerResponseException.class, failure, () -> describe(failure));
    }

    @Test
    void theCustomizerRunsOnTheCallsOwnContextOnALoopServingNoneOfOffersCallers() {
        partnerIsHealthy(partner);
        AtomicReference<Object> deadline = new AtomicReference<>();
        Set<String> threads = new HashSet<>();
        // A second client of the same interface, with a probe beside the bounds (the listener adds them to it too).
        PartnerOfferRestClient probed = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(partner.baseUrl()))
                .httpClientRequestCustomizer(request -> {
                    Context context = Vertx.currentContext();
                    deadline.set(context.getLocal(PartnerOfferBounds.DEADLINE));
                    synchronized (threads) {
                        threads.add(Thread.currentThread().getName());
                    }
                })
                .build(PartnerOfferRestClient.class);
        for (int call = 0; call < 5; call++) {
            assertNotNull(bounds.exchange(probed::offer).await().atMost(Duration.ofSeconds(10)));
        }
        // The deadline the call set is visible where the request is customized: the exchange ends at it.
        assertInstanceOf(Long.class, deadline.get());
        // One loop, offer's own for the partner: none of the loops the HTTP server reads offer's callers on.
        assertEquals(Set.of(PartnerOfferBounds.LOOP_THREAD), threads);
    }

    private Throwable failureOf(ResponseDefinitionBuilder answer) {
        partnerAnswers(partner, answer);
        try {
            bounds.exchange(client::offer).await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // Vert.x wraps the reset's cause in a StreamResetException.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof PartnerOfferBounds.BadPartnerResponseException
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
