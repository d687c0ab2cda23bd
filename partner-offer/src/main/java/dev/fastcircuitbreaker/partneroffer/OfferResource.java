package dev.fastcircuitbreaker.partneroffer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/** {@code GET /offers}: the partner's hot offer, the same answer every time. */
@Path("/offers")
public class OfferResource {

    private final Uni<Offer> hotOffer;

    OfferResource(HotOfferConfig config) {
        this.hotOffer = Uni.createFrom().item(new Offer(config.id(), "hot", config.description(), config.price()));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Offer> offer() {
        return hotOffer;
    }
}
