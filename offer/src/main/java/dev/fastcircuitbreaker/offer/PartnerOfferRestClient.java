package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** The HTTP call to partner-offer, unguarded: use {@link PartnerOfferClient}, which puts the circuit breaker around it. */
@RegisterRestClient(configKey = "partner-offer")
@Path("/offers")
interface PartnerOfferRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<PartnerOffer> offer();
}
