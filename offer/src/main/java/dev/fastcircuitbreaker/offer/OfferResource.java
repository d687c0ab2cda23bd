package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

/** {@code GET /offers}: always 200, with the partner's hot offer or a cold one. */
@Path("/offers")
public class OfferResource {

    private final PartnerOfferClient partnerOfferClient;
    private final PartnerCircuit circuit;

    OfferResource(PartnerOfferClient partnerOfferClient, PartnerCircuit circuit) {
        this.partnerOfferClient = partnerOfferClient;
        this.circuit = circuit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Offer> offer() {
        // Counted here, on what comes out of the breaker and its fallback, and not inside the guarded method: an answer
        // that arrives just after the timeout would be a success there and a failure to the breaker.
        return partnerOfferClient.hotOffer().invoke(circuit::count);
    }
}
