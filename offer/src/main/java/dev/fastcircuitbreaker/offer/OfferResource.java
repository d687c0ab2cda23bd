package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/** {@code GET /offers}: always 200, with the partner's hot offer or a cold one. */
@Path("/offers")
public class OfferResource {

    private final OfferDesk desk;

    OfferResource(OfferDesk desk) {
        this.desk = desk;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Offer> offer() {
        return desk.offer();
    }
}
