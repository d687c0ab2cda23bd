package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/** {@code GET /offers}: always 200, with the partner's hot offer or a cold one. */
@Path("/offers")
public class OfferResource implements Offers {

    private final PartnerOfferClient partnerOfferClient;

    OfferResource(PartnerOfferClient partnerOfferClient) {
        this.partnerOfferClient = partnerOfferClient;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Override
    public Uni<Offer> offer() {
        return partnerOfferClient.hotOffer();
    }
}
