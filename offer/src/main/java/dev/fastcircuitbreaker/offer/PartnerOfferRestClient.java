package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * partner-offer's API as the Quarkus REST client calls it. Unguarded, and not injected: {@link PartnerOfferBounds}
 * builds one client of it for each of its event loops, at {@code quarkus.rest-client.partner-offer.url}, and
 * {@link PartnerOfferClient} puts the circuit breaker around its calls.
 */
@RegisterRestClient(configKey = "partner-offer")
@Path("/offers")
interface PartnerOfferRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<PartnerOffer> offer();
}
