package dev.fastcircuitbreaker.offer.circuit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code GET /circuit/events}: the breaker's last events as JSON, oldest first, or with
 * {@code Accept: text/event-stream} as Server-Sent Events: {@code circuit-event} for each event, the kept ones first,
 * and {@code circuit} for the {@code /circuit} snapshot once a second.
 */
@Path("/circuit/events")
public class CircuitEventsResource {

    /**
     * How far behind an SSE client may fall before it is dropped: the kept events it starts with, and room for a
     * burst of failures (each in-flight call that times out is one) while its last write is still on its way.
     */
    static final int CLIENT_BACKLOG = CircuitEvents.KEPT + 400;
    /** How many SSE clients at most, so that slow clients hold at most this many backlogs; more get a 503. */
    static final int MAX_CLIENTS = 50;

    private static final Logger LOG = Logger.getLogger(CircuitEventsResource.class);

    private final CircuitEvents events;
    private final PartnerCircuit circuit;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);

    CircuitEventsResource(CircuitEvents events, PartnerCircuit circuit) {
        this.events = events;
        this.circuit = circuit;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    public List<CircuitEvents.Event> kept() {
        return events.kept();
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<OutboundSseEvent> stream(@Context Sse sse, @Context HttpServerResponse response) {
        Multi<OutboundSseEvent> stream = Multi.createBy().merging().streams(
                events.stream().map(event -> sse.newEventBuilder().name("circuit-event").data(event).build()),
                Multi.createFrom().ticks().every(Duration.ofSeconds(1))
                        .map(tick -> sse.newEventBuilder().name("circuit").data(circuit.snapshot()).build()))
                .onOverflow().buffer(CLIENT_BACKLOG)
                // Before the recovery below, so that the place is given back as soon as a client is dropped.
                .onTermination().invoke(clients::release)
                .onFailure(BackPressureFailure.class).recoverWithMulti(tooSlow -> {
                    // Hang up rather than fail the stream, which RESTEasy would log as an error with its stack trace.
                    // Closing the connection cancels this stream; an EventSource reconnects and reads the kept events.
                    LOG.warnf("An SSE client of /circuit/events is %d messages behind: disconnecting it", CLIENT_BACKLOG);
                    response.reset();
                    return Multi.createFrom().nothing();
                });
        // Taken here, at once, and given back when the stream ends, however it ends: a burst cannot get past it.
        if (!clients.tryAcquire()) {
            throw new WebApplicationException(Response.Status.SERVICE_UNAVAILABLE);
        }
        return stream;
    }

    /** How many SSE clients are connected. */
    int clients() {
        return MAX_CLIENTS - clients.availablePermits();
    }
}
