package dev.fastcircuitbreaker.offer;

import java.util.List;

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

    private static final Logger LOG = Logger.getLogger(CircuitEventsResource.class);

    private final CircuitEvents events;

    CircuitEventsResource(CircuitEvents events) {
        this.events = events;
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
        if (events.clients() >= CircuitEvents.MAX_CLIENTS) {
            throw new WebApplicationException(Response.Status.SERVICE_UNAVAILABLE);
        }
        return events.stream()
                .onFailure(BackPressureFailure.class).recoverWithMulti(tooSlow -> {
                    // Hang up rather than fail the stream, which RESTEasy would log as an error with its stack trace.
                    // Closing the connection cancels this stream; an EventSource reconnects and reads the kept events.
                    LOG.warnf("An SSE client of /circuit/events is %d messages behind: disconnecting it",
                            CircuitEvents.CLIENT_BACKLOG);
                    response.reset();
                    return Multi.createFrom().nothing();
                })
                .map(item -> sse.newEventBuilder()
                        .name(item instanceof CircuitEvents.Event ? "circuit-event" : "circuit")
                        .data(item)
                        .build());
    }
}
