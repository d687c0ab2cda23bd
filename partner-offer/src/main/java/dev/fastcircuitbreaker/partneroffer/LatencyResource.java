package dev.fastcircuitbreaker.partneroffer;

import java.time.Duration;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code GET /latency} tells partner-offer's response latency, {@code PUT /latency} (plain text: {@code 300ms},
 * {@code 1.5s}, {@code 0}) changes it while it runs; both answer the latency in force, in milliseconds.
 */
@Path("/latency")
public class LatencyResource {

    private final Latency latency;

    LatencyResource(Latency latency) {
        this.latency = latency;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String latency() {
        return text(latency.get());
    }

    @PUT
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.TEXT_PLAIN)
    public String set(String latency) {
        return text(this.latency.set(latency));
    }

    // Declared here, it answers only this resource's requests.
    @ServerExceptionMapper
    RestResponse<ErrorResponses.Error> notALatency(IllegalArgumentException e) {
        return RestResponse.ResponseBuilder.<ErrorResponses.Error> create(400)
                .entity(new ErrorResponses.Error(400, Latency.NOT_A_LATENCY))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static String text(Duration latency) {
        return latency.toMillis() + "ms";
    }
}
