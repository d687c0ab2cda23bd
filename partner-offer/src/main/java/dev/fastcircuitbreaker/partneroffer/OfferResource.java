package dev.fastcircuitbreaker.partneroffer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/** {@code GET /offers}: the partner's hot offer, the same answer every time, after the {@link Latency} in force. */
@Path("/offers")
public class OfferResource {

    private final Uni<Offer> hotOffer;
    private final Latency latency;

    OfferResource(HotOfferConfig config, Latency latency) {
        this.latency = latency;
        this.hotOffer = Uni.createFrom().item(new Offer(config.id(), "hot", config.description(), config.price()));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Offer> offer() {
        return latency.delay(hotOffer);
    }
}
